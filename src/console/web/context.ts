import { createContext, useContext } from "react"
import type { Me, Session } from "./api.ts"

export interface ConsoleContext {
  readonly session: Session
  readonly me: Me
  /** The tenant the pages work on: the operator's own, or the one the platform admin picked. */
  readonly tenant: string
  /** Whether the operator may change anything (viewers only read: no write buttons). */
  readonly canWrite: boolean
  readonly isAdmin: boolean
  readonly go: (page: string, params?: Record<string, string>) => void
}

export const Console = createContext<ConsoleContext | undefined>(undefined)

export const useConsole = (): ConsoleContext => {
  const context = useContext(Console)
  if (!context) throw new Error("outside the console")
  return context
}
