import { randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { type Principal, Unauthorized } from "../../auth/principal.ts"
import { Database } from "../../db/database.ts"
import { InvalidInput, NotFound } from "../../domain/errors.ts"
import type { Tenant } from "../../domain/primitives.ts"
import { narrow, type TenantScope } from "../../domain/tenant-scope.ts"
import type { ApiKeyInput, CreatedApiKey, Introspection } from "./api-key-model.ts"
import { findActiveKey, insertApiKey, listApiKeys, revokeApiKey, touchApiKey } from "./api-key-repo.ts"
import { manageScope, readScope, requireTenantIn } from "./authorization.ts"
import { requireCurrentOperator } from "./current-operator.ts"
import { apiKeyIdOf, newApiKey, sha256 } from "./secrets.ts"

const touchEveryMs = 60_000

const tenantOf = (scope: TenantScope, input: ApiKeyInput): Effect.Effect<Tenant, InvalidInput> =>
  input.tenant !== undefined
    ? Effect.succeed(input.tenant)
    : scope._tag === "OneTenant"
    ? Effect.succeed(scope.tenant)
    : Effect.fail(new InvalidInput({ field: "tenant", reason: "required when the caller is not bound to one tenant" }))

const refused = (reason: string, keyId: string | undefined) =>
  Effect.logWarning("API key refused").pipe(Effect.annotateLogs({ reason, keyId: keyId ?? "(not a key)" }), Effect.as(undefined))

const make = Effect.gen(function*() {
  const db = yield* Database
  // When this process last recorded a key's use: spares the database a write per event request.
  const touched = new Map<string, number>()
  const touch = (id: string) =>
    Effect.suspend(() => {
      const now = Date.now()
      if (now - (touched.get(id) ?? 0) < touchEveryMs) return Effect.void
      touched.set(id, now)
      return Effect.asVoid(touchApiKey(db.sql, id))
    })

  const verify = (raw: string): Effect.Effect<Principal | undefined, Effect.Error<ReturnType<typeof findActiveKey>>> => {
    const id = apiKeyIdOf(raw)
    if (id === undefined) return refused("not an API key", undefined)
    return findActiveKey(db.sql, sha256(raw)).pipe(
      Effect.flatMap((key) =>
        key && key.id === id
          ? touch(key.id).pipe(Effect.as<Principal>({ kind: "api-key", keyId: key.id, tenant: key.tenant, scopes: key.scopes }))
          : refused("unknown or revoked API key", id)
      )
    )
  }

  return {
    /** The secret is in this answer only; the database keeps its hash. */
    create: (principal: Principal, input: ApiKeyInput) =>
      Effect.gen(function*() {
        const scope = yield* manageScope(principal, "create API key")
        const tenant = yield* tenantOf(scope, input)
        yield* requireTenantIn(principal, scope, tenant, "create API key")
        const id = randomUUID()
        const key = newApiKey(id)
        const createdBy = principal.kind === "operator" ? principal.operatorId : null
        const stored = yield* db.transaction((tx) =>
          requireCurrentOperator(tx, principal).pipe(
            Effect.andThen(insertApiKey(tx, { id, tenant, name: input.name, keyHash: sha256(key), scopes: [...new Set(input.scopes)], createdBy }))
          )
        ).pipe(
          Effect.catchIf((error) => error._tag === "QueryFailed" && error.code === "23503", () => Effect.fail(new InvalidInput({ field: "tenant", reason: `no tenant ${tenant}` })))
        )
        yield* Effect.logInfo("API key created").pipe(Effect.annotateLogs({ keyId: id, tenant }))
        return { ...stored, key } satisfies CreatedApiKey
      }),
    list: (principal: Principal, tenant: Tenant | undefined, page: { limit: number; offset: number }) =>
      readScope(principal, "list API keys", { apiKeys: false }).pipe(
        Effect.flatMap((scope) => {
          const narrowed = narrow(scope, tenant)
          return narrowed ? listApiKeys(db.sql, narrowed, page) : Effect.succeed([])
        }),
        Effect.map((apiKeys) => ({ apiKeys }))
      ),
    revoke: (principal: Principal, id: string) =>
      manageScope(principal, "revoke API key").pipe(
        Effect.flatMap((scope) =>
          db.transaction((tx) => requireCurrentOperator(tx, principal).pipe(Effect.andThen(revokeApiKey(tx, scope, id)))).pipe(
            Effect.flatMap((found) =>
              found
                ? Effect.logInfo("API key revoked").pipe(Effect.annotateLogs({ keyId: id }))
                : Effect.fail(new NotFound({ resource: "API key", id }))
            )
          )
        )
      ),
    /** The principal of a live key, or `undefined` for anything else (junk, unknown, revoked). */
    verify,
    /** For services in other processes: what the key may do, or 401. */
    introspect: (raw: string): Effect.Effect<Introspection, Unauthorized | Effect.Error<ReturnType<typeof verify>>> =>
      verify(raw).pipe(
        Effect.flatMap((principal) =>
          principal?.kind === "api-key"
            ? Effect.succeed({ keyId: principal.keyId, tenant: principal.tenant, scopes: principal.scopes })
            : Effect.fail(new Unauthorized({ reason: "invalid API key" }))
        )
      )
  }
})

/** Machine credentials: one tenant, a few scopes, revocable; verified on every event request. */
export class ApiKeys extends Context.Service<ApiKeys, Effect.Success<typeof make>>()("loyaltea/user/ApiKeys") {
  static readonly layer = Layer.effect(ApiKeys, make)
}
