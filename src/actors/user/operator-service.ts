import { randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import type { Principal } from "../../auth/principal.ts"
import { Database, type Sql } from "../../db/database.ts"
import { AlreadyExists, type Forbidden, InvalidInput, NotFound } from "../../domain/errors.ts"
import type { Tenant } from "../../domain/primitives.ts"
import { narrow, type TenantScope } from "../../domain/tenant-scope.ts"
import { manageScope, readScope, refuse, requireTenantIn } from "./authorization.ts"
import { requireCurrentOperator } from "./current-operator.ts"
import { type OperatorInput, UsernameUnavailable } from "./operator-model.ts"
import { disableOperator, insertOperator, listOperators, type NewOperator } from "./operator-repo.ts"
import { hashPassword } from "./passwords.ts"
import { revokeOperatorTokens } from "./refresh-token-repo.ts"
import { TokenRevocations } from "./token-revocations.ts"

const noSuchTenant = (tenant: string) => new InvalidInput({ field: "tenant", reason: `no tenant ${tenant}` })

interface Registration {
  readonly username: string
  readonly role: NewOperator["role"]
  readonly tenant: string | null
}

/** Stores an operator whose password is already hashed. */
const storeOperator = (sql: Sql, input: Registration & { readonly passwordHash: string }) =>
  insertOperator(sql, { id: randomUUID(), ...input }).pipe(
    Effect.catchTag("UniqueViolation", () => Effect.fail(new AlreadyExists({ resource: "operator", id: input.username }))),
    Effect.catchIf(
      (error) => error._tag === "QueryFailed" && error.code === "23503",
      () => Effect.fail(noSuchTenant(input.tenant ?? ""))
    )
  )

/** Hashes and stores an operator; shared by the first-start bootstrap and `create-admin`. */
export const registerOperator = (sql: Sql, input: Registration & { readonly password: string }) =>
  hashPassword(input.password).pipe(Effect.flatMap((passwordHash) => storeOperator(sql, { ...input, passwordHash })))

/** The tenant the new operator joins, by who creates it: admins are tenantless, tenant admins stay home. */
const tenantFor = (principal: Principal, scope: TenantScope, input: OperatorInput): Effect.Effect<Tenant | null, InvalidInput | Forbidden> => {
  const action = "create operator"
  if (input.role === "admin") {
    if (scope._tag !== "AllTenants") return refuse(principal, action, "only the platform admin may create admins")
    return input.tenant === undefined ? Effect.succeed(null) : Effect.fail(new InvalidInput({ field: "tenant", reason: "the platform admin belongs to no tenant" }))
  }
  const tenant = input.tenant ?? (scope._tag === "OneTenant" ? scope.tenant : undefined)
  if (tenant === undefined) return Effect.fail(new InvalidInput({ field: "tenant", reason: "required for tenant roles" }))
  return requireTenantIn(principal, scope, tenant, action).pipe(Effect.as(tenant))
}

const make = Effect.gen(function*() {
  const db = yield* Database
  const revocations = yield* TokenRevocations
  return {
    create: (principal: Principal, input: OperatorInput) =>
      manageScope(principal, "create operator").pipe(
        Effect.flatMap((scope) => tenantFor(principal, scope, input)),
        Effect.flatMap((tenant) =>
          // Hashed first: the creator's row stays locked only for the insert.
          hashPassword(input.password).pipe(Effect.flatMap((passwordHash) =>
            db.transaction((tx) =>
              requireCurrentOperator(tx, principal).pipe(
                Effect.andThen(storeOperator(tx, { username: input.username, role: input.role, tenant, passwordHash }))
              )
            )
          ))
        ),
        // Not "operator <name> already exists": a tenant admin learns nothing about other tenants' names.
        Effect.catchTag("AlreadyExists", () => Effect.fail(new UsernameUnavailable({ field: "username" }))),
        Effect.tap((operator) => Effect.logInfo("operator created").pipe(Effect.annotateLogs({ operator: operator.username, role: operator.role, by: principal.kind === "operator" ? principal.username : "" })))
      ),
    list: (principal: Principal, tenant: Tenant | undefined, page: { limit: number; offset: number }) =>
      readScope(principal, "list operators", { apiKeys: false }).pipe(
        Effect.flatMap((scope) => {
          const narrowed = narrow(scope, tenant)
          return narrowed ? listOperators(db.sql, narrowed, page) : Effect.succeed([])
        }),
        Effect.map((operators) => ({ operators }))
      ),
    /** Disabling ends the operator's sessions and revokes its access tokens: here at once, elsewhere within a poll. */
    disable: (principal: Principal, id: string) =>
      Effect.gen(function*() {
        const scope = yield* manageScope(principal, "disable operator")
        if (principal.kind === "operator" && principal.operatorId === id) {
          return yield* new InvalidInput({ field: "id", reason: "an operator cannot disable itself" })
        }
        const revoked = yield* db.transaction((tx) =>
          Effect.gen(function*() {
            yield* requireCurrentOperator(tx, principal)
            if (!(yield* disableOperator(tx, scope, id))) return yield* new NotFound({ resource: "operator", id })
            yield* revokeOperatorTokens(tx, id)
            return yield* revocations.operator(tx, id)
          })
        )
        yield* revocations.publish([revoked])
        yield* Effect.logInfo("operator disabled").pipe(Effect.annotateLogs({ operatorId: id, by: principal.kind === "operator" ? principal.username : "" }))
      })
  }
})

/** Operators: the people who run a tenant's program, and the platform admins. */
export class OperatorUseCases extends Context.Service<OperatorUseCases, Effect.Success<typeof make>>()("loyaltea/user/OperatorUseCases") {
  static readonly layer = Layer.effect(OperatorUseCases, make)
}
