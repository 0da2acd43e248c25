import { Cause, type Context, Effect, Exit, Option } from "effect"
import { problem, setProblemHeaders } from "./problem.ts"
import type { ErrorBody, ErrorFacts } from "./schema.ts"

/** How each domain or infrastructure error reaches HTTP clients; anything else is a 500. */
const statusByTag: Record<string, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  InsufficientBalance: 409,
  MemberRedemptionLimit: 409,
  IdempotencyKeyReused: 409,
  AdjustmentKeyReused: 409,
  UsernameUnavailable: 409,
  InvalidInput: 422,
  Unauthorized: 401,
  Forbidden: 403,
  TooManyRequests: 429,
  ConnectionLost: 503,
  KafkaUnavailable: 503,
  PeerUnavailable: 503,
  SerializationFailure: 503,
  ImportTooLarge: 413,
  ImportBroken: 400,
  ImportStopped: 409,
  ImportRunning: 409
}

export const statusOf = (tag: string): number => statusByTag[tag] ?? 500

interface Tagged {
  readonly _tag: string
  readonly message: string
}

const isTagged = (error: unknown): error is Tagged =>
  typeof error === "object" && error !== null && typeof (error as Tagged)._tag === "string"

/** The error's public fields: everything it carries except the stack and the cause. */
const factsOf = (error: Tagged, status: number): ErrorFacts => {
  if (status >= 500) return { error: status === 503 ? "Unavailable" : "InternalError", message: status === 503 ? "temporarily unavailable, retry" : "internal error" }
  const facts = Object.fromEntries(
    Object.entries(error).filter(([key]) => key !== "_tag" && key !== "message" && key !== "stack" && key !== "cause")
  )
  return { ...facts, error: error._tag, message: error.message }
}

export interface StatusSetter {
  status?: number | string
  headers: Record<string, string | number>
}

/** A tagged failure as HTTP: its status and problem details (500 without details for anything else). */
export const failureResponse = (cause: Cause.Cause<unknown>): { status: number; body: ErrorBody } => {
  const tagged = Option.filter(Cause.findErrorOption(cause), isTagged)
  const status = Option.match(tagged, { onNone: () => 500, onSome: (e) => statusOf(e._tag) })
  const facts = Option.match(tagged, {
    onNone: (): ErrorFacts => ({ error: "InternalError", message: "internal error" }),
    onSome: (e) => factsOf(e, status)
  })
  return { status, body: problem(status, facts) }
}

export interface Runner<R> {
  /**
   * Runs a use case for an Elysia handler: success → `okStatus` and the value; a tagged failure →
   * its status and body; a defect → 500, logged with its full cause.
   */
  <A, E>(set: StatusSetter, effect: Effect.Effect<A, E, R>, okStatus?: number): Promise<A>
  /** The raw outcome, for hooks that answer by themselves (authentication). */
  readonly exit: <A, E>(effect: Effect.Effect<A, E, R>) => Promise<Exit.Exit<A, E>>
  /** Logs through the process's logger without waiting. */
  readonly log: (effect: Effect.Effect<void, never, R>) => void
}

export const makeRunner = <R>(context: Context.Context<R>, onServerError: (cause: Cause.Cause<unknown>) => void): Runner<R> => {
  const exit = Effect.runPromiseExitWith(context)
  const run = async <A, E>(set: StatusSetter, effect: Effect.Effect<A, E, R>, okStatus = 200): Promise<A> => {
    const outcome = await exit(effect)
    if (Exit.isSuccess(outcome)) {
      set.status = okStatus
      return outcome.value
    }
    const { body, status } = failureResponse(outcome.cause)
    if (status >= 500) onServerError(outcome.cause)
    set.status = status
    setProblemHeaders(set, status)
    // The response schemas declare these error bodies per status.
    return body as unknown as A
  }
  return Object.assign(run, {
    exit,
    log: (effect: Effect.Effect<void, never, R>) => void Effect.runForkWith(context)(effect)
  })
}
