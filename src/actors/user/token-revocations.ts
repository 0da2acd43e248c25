import { Context, Effect, Layer } from "effect"
import { type Revocation, Revocations } from "../../auth/revocations.ts"
import { Database, type Sql } from "../../db/database.ts"
import { insertRevocation, revocationsSince } from "./revocation-repo.ts"

/** Revocations per answer of `GET /auth/revocations`; a follower that gets a full page asks again at once. */
export const feedPageSize = 1000

const make = Effect.gen(function*() {
  const db = yield* Database
  const list = yield* Revocations
  return {
    /** Records, in `tx`, that every token of the session (refresh-token family) is revoked. */
    session: (tx: Sql, familyId: string) => insertRevocation(tx, "session", familyId),
    /** Records, in `tx`, that every token of the operator issued up to now is revoked. */
    operator: (tx: Sql, operatorId: string) => insertRevocation(tx, "operator", operatorId),
    /** Once the transaction committed: this process refuses the tokens at once; the others within a poll. */
    publish: (revocations: ReadonlyArray<Revocation>) => list.add(revocations),
    /** What other processes follow: the revocations after `after`. */
    feed: (after: string | undefined) => revocationsSince(db.sql, after, feedPageSize)
  }
})

/** Revoking access tokens before they expire: recorded in `users.token_revocations`, kept in every process's list. */
export class TokenRevocations extends Context.Service<TokenRevocations, Effect.Success<typeof make>>()("loyaltea/user/TokenRevocations") {
  static readonly layer = Layer.effect(TokenRevocations, make)
}
