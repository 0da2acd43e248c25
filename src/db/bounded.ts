import { Effect } from "effect"
import { ConnectionLost } from "./errors.ts"

/**
 * Fails with ConnectionLost (transient: the caller retries) when `effect` has not finished within
 * `ms`; whatever it was waiting on is abandoned, and its connection is dealt with by its owner.
 */
export const bounded = <A, E, R>(effect: Effect.Effect<A, E, R>, ms: number, what: string) =>
  Effect.timeoutOrElse(effect, {
    duration: ms,
    orElse: () => Effect.fail(new ConnectionLost({ code: "CLIENT_TIMEOUT", message: `no answer from the database within ${ms} ms (${what})` }))
  })
