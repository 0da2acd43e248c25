import { Effect } from "effect"
import type { ServiceName } from "../config/service-name.ts"
import { Database } from "../db/database.ts"
import { pendingMigrations } from "../db/migrations.ts"
import type { Readiness } from "./health.ts"

/** Ready when the database answers and every migration is applied. */
export const checkReadiness = (service: ServiceName) =>
  Effect.gen(function*() {
    const db = yield* Database
    const pending = yield* pendingMigrations()
    return {
      status: pending.length === 0 ? "ready" : "not-ready",
      service,
      database: db.mode,
      pendingMigrations: pending,
      ...(pending.length > 0 ? { reason: "migrations pending" } : {})
    } satisfies Readiness
  }).pipe(
    Effect.timeout("3 seconds"),
    Effect.catch((error) =>
      Effect.gen(function*() {
        const db = yield* Database
        return {
          status: "not-ready",
          service,
          database: db.mode,
          pendingMigrations: [],
          reason: `database unreachable: ${error.message}`
        } satisfies Readiness
      })
    )
  )
