import { Effect, Schema } from "effect"
import { Role } from "../../auth/principal.ts"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows } from "../../db/rows.ts"
import { Tenant } from "../../domain/primitives.ts"

/** A refresh token after 30 days without use: long enough for a working month, short enough to age out. */
export const refreshTokenTtlDays = 30

const StoredToken = Schema.Struct({
  id: Schema.String,
  familyId: Schema.String,
  revoked: Schema.Boolean,
  expired: Schema.Boolean,
  operator: Schema.Struct({
    id: Schema.String,
    username: Schema.String,
    role: Role,
    tenant: Schema.NullOr(Tenant),
    disabled: Schema.Boolean
  })
})
export type StoredToken = typeof StoredToken.Type
const decodeStored = decodeRows(StoredToken)

export const insertRefreshToken = (sql: Sql, token: { id: string; operatorId: string; tokenHash: string; familyId: string }) =>
  exec(() => sql`
    insert into users.refresh_tokens (id, operator_id, token_hash, family_id, expires_at)
    values (${token.id}, ${token.operatorId}, ${token.tokenHash}, ${token.familyId}, now() + make_interval(days => ${refreshTokenTtlDays}))`)

/** Locks the token's row, so two refreshes with one token cannot both rotate it. */
export const lockRefreshToken = (tx: Sql, tokenHash: string) =>
  exec(() => tx`
    select rt.id::text as id, rt.family_id::text as "familyId", rt.revoked_at is not null as revoked, rt.expires_at <= now() as expired,
      json_build_object('id', o.id::text, 'username', o.username, 'role', o.role, 'tenant', o.tenant, 'disabled', o.disabled_at is not null) as operator
    from users.refresh_tokens rt join users.operators o on o.id = rt.operator_id
    where rt.token_hash = ${tokenHash} for update of rt`).pipe(Effect.flatMap(decodeStored), Effect.map((rows) => rows[0]))

export const findFamily = (sql: Sql, tokenHash: string) =>
  exec(() => sql`select family_id::text as "familyId" from users.refresh_tokens where token_hash = ${tokenHash}`).pipe(
    Effect.map((rows) => rows[0]?.familyId as string | undefined)
  )

export const revokeRefreshToken = (tx: Sql, id: string) =>
  exec(() => tx`update users.refresh_tokens set revoked_at = now() where id = ${id} and revoked_at is null`)

/**
 * Serialises everything that changes one session (rotation, logout, reuse detection) for the rest
 * of `tx`. Taken before the session's rows are read, so a logout cannot miss the token that a
 * concurrent rotation is about to add, and a rotation sees a logout that committed first.
 */
export const lockFamily = (tx: Sql, familyId: string) => exec(() => tx`select pg_advisory_xact_lock(hashtextextended(${familyId}, 0))`)

/** Revokes the session's live tokens (call under `lockFamily`); how many were live. */
export const revokeFamily = (sql: Sql, familyId: string) =>
  exec(() => sql`update users.refresh_tokens set revoked_at = now() where family_id = ${familyId} and revoked_at is null`).pipe(
    Effect.map((result) => result.count)
  )

/** A disabled operator's sessions end with it. */
export const revokeOperatorTokens = (sql: Sql, operatorId: string) =>
  exec(() => sql`update users.refresh_tokens set revoked_at = now() where operator_id = ${operatorId} and revoked_at is null`)

/**
 * Deletes what reuse detection no longer needs, `retentionDays` after it stopped mattering: every
 * token of a session that ended (each of its tokens revoked or expired) that long ago, and any
 * token that expired that long ago. Spent tokens of a live session stay: presenting one again is
 * how a stolen token is recognised. The number of tokens deleted.
 */
export const pruneRefreshTokens = (sql: Sql, retentionDays: number) =>
  exec(() => sql`
    delete from users.refresh_tokens
    where expires_at < now() - make_interval(days => ${retentionDays})
       or family_id in (
         select family_id from users.refresh_tokens group by family_id
         having max(least(coalesce(revoked_at, 'infinity'::timestamptz), expires_at)) < now() - make_interval(days => ${retentionDays}))`).pipe(
    Effect.map((result) => result.count)
  )
