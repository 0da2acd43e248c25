import { Effect, type Scope } from "effect"
import { periodicJob } from "../platform/periodic-job.ts"
import { type RevocationFeed, Revocations } from "./revocations.ts"

/**
 * Keeps the process's revocation list current from a source of pages (the user service's table,
 * or its `GET /auth/revocations`): every `pollMs`, what was revoked since the last cursor. From
 * the start the list is only trusted once a page came through; a failing source is retried with
 * backoff of at most 5 s, and the list stops being trusted once it is too old.
 */
export const followRevocations = <E, R>(
  name: string,
  fetchPage: (after: string | undefined) => Effect.Effect<RevocationFeed, E, R>,
  pollMs: number
): Effect.Effect<void, never, Revocations | R | Scope.Scope> =>
  Effect.gen(function*() {
    const list = yield* Revocations
    let cursor: string | undefined
    // The list is complete as of when the fetch started, not when it ended.
    const syncOnce: Effect.Effect<void, E, R> = Effect.gen(function*() {
      const started = Date.now()
      let more = true
      while (more) {
        const page = yield* fetchPage(cursor)
        yield* list.add(page.revocations)
        cursor = page.cursor
        more = page.more
      }
      yield* list.synced(started)
      yield* list.prune
    })
    yield* list.requireSync
    yield* syncOnce.pipe(
      Effect.catch((error) => Effect.logWarning(`${name}: the revocation list cannot be fetched yet; access tokens are answered 503 until it is`, error))
    )
    yield* periodicJob(name, `${pollMs} millis`, syncOnce, { delayFirstRun: true, maxBackoff: "5 seconds" })
  })
