import { Effect, Schema } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows } from "../../db/rows.ts"

const Jwk = Schema.Record(Schema.String, Schema.Unknown)

const StoredKey = Schema.Struct({ kid: Schema.String, privateJwk: Jwk })
const PublishedKey = Schema.Struct({ kid: Schema.String, publicJwk: Jwk })
const decodeStored = decodeRows(StoredKey)
const decodePublished = decodeRows(PublishedKey)

// Any fixed key works; it only has to differ from the other advisory locks and be the same everywhere.
const creationLock = 0x4c545349

/** The newest key still in service, for signing. */
export const findActiveKey = (sql: Sql) =>
  exec(() => sql`
    select kid, private_jwk as "privateJwk" from users.signing_keys
    where retired_at is null order by created_at desc, kid desc limit 1`).pipe(
    Effect.flatMap(decodeStored),
    Effect.map((rows) => rows[0])
  )

/**
 * Keys verifiers should know: those in service, and those retired for less than a day, so tokens
 * signed just before a rotation still verify until they expire.
 */
export const publishedKeys = (sql: Sql) =>
  exec(() => sql`
    select kid, public_jwk as "publicJwk" from users.signing_keys
    where retired_at is null or retired_at > now() - interval '1 day'
    order by created_at desc, kid desc`).pipe(Effect.flatMap(decodePublished))

/** Takes the creation lock for the transaction, so processes starting together create one key. */
export const lockKeyCreation = (tx: Sql) => exec(() => tx`select pg_advisory_xact_lock(${creationLock})`)

export const insertKey = (tx: Sql, key: { kid: string; privateJwk: Record<string, unknown>; publicJwk: Record<string, unknown> }) =>
  exec(() => tx`
    insert into users.signing_keys (kid, private_jwk, public_jwk)
    values (${key.kid}, ${tx.json(key.privateJwk as never)}, ${tx.json(key.publicJwk as never)})`)
