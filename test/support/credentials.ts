import { randomUUID } from "node:crypto"
import { Effect, type ManagedRuntime } from "effect"
import { ApiKeys } from "../../src/actors/user/api-key-service.ts"
import { SigningKeys } from "../../src/actors/user/signing-keys.ts"
import type { ApiKeyScope, Principal, Role } from "../../src/auth/principal.ts"
import { Database } from "../../src/db/database.ts"
import { registerTenants } from "./tenants.ts"
import { tenant as toTenant } from "./values.ts"

export type AuthRuntime = ManagedRuntime.ManagedRuntime<SigningKeys | ApiKeys | Database, unknown>

/**
 * A real access token from the user service's key, as a login would give (issued `issuedAt`),
 * for an operator that exists (created here, with its tenant, if need be).
 */
export const accessToken = (runtime: AuthRuntime, role: Role, tenant: string | null, issuedAt?: Date) =>
  runtime.runPromise(Effect.gen(function*() {
    const db = yield* Database
    const id = randomUUID()
    const username = `${role}-${tenant ?? "platform"}-${id.slice(0, 8)}`
    if (tenant !== null) yield* Effect.promise(() => registerTenants(db.sql, [tenant]))
    yield* Effect.promise(() => db.sql`
      insert into users.operators (id, username, password_hash, role, tenant) values (${id}, ${username}, 'not-a-login', ${role}, ${tenant})`)
    const keys = yield* SigningKeys
    // A session of its own, as a login starts one.
    return yield* keys.sign({ sub: id, sid: randomUUID(), username, role, tenant: tenant === null ? null : toTenant(tenant) }, issuedAt)
  }))

/** A real member token of `userId` in `tenant` (registered if it is not yet), as `POST /members/{userId}/token` mints one. */
export const memberToken = (runtime: AuthRuntime, tenant: string, userId: string, options: { ttlSeconds?: number; issuedAt?: Date } = {}) =>
  runtime.runPromise(Effect.gen(function*() {
    const db = yield* Database
    yield* Effect.promise(() => registerTenants(db.sql, [tenant]))
    const keys = yield* SigningKeys
    return yield* keys.signMember({ userId, tenant }, options.ttlSeconds ?? 900, options.issuedAt)
  }))

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** `Authorization` headers of a role: the platform admin, or an operator of `tenant`. */
export const headersOf = async (runtime: AuthRuntime, role: Role, tenant: string | null = null) => bearer(await accessToken(runtime, role, tenant))

const platformAdmin: Principal = { kind: "operator", operatorId: "0a0a0a0a-0000-4000-8000-000000000001", username: "test-key-maker", role: "admin", tenant: null }

/** A real API key of `tenant` (the tenant is registered if it is not yet). */
export const apiKey = async (runtime: AuthRuntime, tenant: string, scopes: ReadonlyArray<ApiKeyScope>) =>
  runtime.runPromise(Effect.gen(function*() {
    const db = yield* Database
    yield* Effect.promise(() => registerTenants(db.sql, [tenant]))
    // The key records who made it, so that operator must exist.
    yield* Effect.promise(() => db.sql`
      insert into users.operators (id, username, password_hash, role, tenant)
      values (${platformAdmin.operatorId}, ${platformAdmin.username}, 'not-a-login', 'admin', null) on conflict do nothing`)
    const keys = yield* ApiKeys
    const created = yield* keys.create(platformAdmin, { name: `test key ${randomUUID().slice(0, 8)}`, tenant: toTenant(tenant), scopes: [...scopes] })
    return { key: created.key, id: created.id }
  }))
