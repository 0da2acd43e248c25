import { Effect, Layer } from "effect"
import { migrate } from "./migrations.ts"

/** Brings the schema up to date before any service starts. */
export const MigrationsLive = Layer.effectDiscard(
  migrate().pipe(
    Effect.tap((applied) =>
      applied.length > 0 ? Effect.logInfo(`applied migrations: ${applied.join(", ")}`) : Effect.logDebug("schema is up to date")
    )
  )
)
