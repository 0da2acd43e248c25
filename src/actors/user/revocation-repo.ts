import { Effect, Schema } from "effect"
import { type Revocation, RevocationKind, revocationLifetimeSeconds, revocationMarginSeconds, subjectOf } from "../../auth/revocations.ts"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows } from "../../db/rows.ts"

const Stored = Schema.Struct({ kind: RevocationKind, subject: Schema.String, notAfter: Schema.Number, expiresAt: Schema.Number, txid: Schema.String })
const decodeStored = decodeRows(Stored)
const Horizon = Schema.Struct({ horizon: Schema.String })
const decodeHorizon = decodeRows(Horizon)

const columns = (sql: Sql) =>
  sql`kind, subject::text as subject, floor(extract(epoch from revoked_at))::float8 + ${revocationMarginSeconds} as "notAfter",
      floor(extract(epoch from expires_at) * 1000)::float8 as "expiresAt", txid::text as txid`

const shared = (row: typeof Stored.Type): Revocation => ({ kind: row.kind, subject: subjectOf(row.subject), notAfter: row.notAfter, expiresAt: row.expiresAt })

/** Records a revocation in `tx`, kept for as long as a token it covers can live; as processes share it. */
export const insertRevocation = (tx: Sql, kind: RevocationKind, subject: string) =>
  exec(() => tx`
    insert into users.token_revocations (kind, subject, expires_at)
    values (${kind}, ${subject}, now() + make_interval(secs => ${revocationLifetimeSeconds}))
    returning ${columns(tx)}`).pipe(Effect.flatMap(decodeStored), Effect.map((rows) => shared(rows[0]!)))

export interface RevocationPage {
  readonly revocations: ReadonlyArray<Revocation>
  readonly cursor: string
  readonly more: boolean
}

/**
 * The live revocations recorded by transactions from `after` on, at most `limit`, and the cursor
 * to ask with next. The cursor is the oldest transaction still running when this was read (its
 * snapshot's xmin): every row of an older transaction is visible now, so none is skipped however
 * late it committed; rows of younger ones may come again, which changes nothing.
 */
export const revocationsSince = (sql: Sql, after: string | undefined, limit: number) =>
  Effect.gen(function*() {
    const rows = yield* exec(() => sql`
      with horizon as (select pg_snapshot_xmin(pg_current_snapshot()) as xmin)
      select h.xmin::text as horizon, r.* from horizon h left join lateral (
        select ${columns(sql)}, id from users.token_revocations
        where txid >= ${after ?? "0"}::xid8 and expires_at > now()
        order by txid, id limit ${limit}) r on true`)
    const [horizon] = yield* decodeHorizon(rows)
    const found = yield* decodeStored(rows.filter((row) => row.kind !== null))
    // Cut short: go on from the last transaction read (inclusive, so none of its rows is lost). A
    // transaction records one revocation, so a full page always gets past `after`.
    const last = found.at(-1)
    const more = found.length === limit && last !== undefined && last.txid !== (after ?? "0")
    const cursor = more && BigInt(last.txid) < BigInt(horizon!.horizon) ? last.txid : horizon!.horizon
    return { revocations: found.map(shared), cursor, more } satisfies RevocationPage
  })

/** Deletes revocations whose tokens have all expired; how many. */
export const pruneRevocations = (sql: Sql) =>
  exec(() => sql`delete from users.token_revocations where expires_at <= now()`).pipe(Effect.map((result) => result.count))
