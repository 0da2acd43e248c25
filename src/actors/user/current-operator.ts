import { Effect, Schema } from "effect"
import { type Principal, Role, Unauthorized } from "../../auth/principal.ts"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows } from "../../db/rows.ts"
import { Tenant } from "../../domain/primitives.ts"

const OperatorState = Schema.Struct({ role: Role, tenant: Schema.NullOr(Tenant), disabled: Schema.Boolean })
const decodeState = decodeRows(OperatorState)

/**
 * Whether the operator behind a token is still what the token says, as the database has it now:
 * for the changes that outlive a token (new operators, new API keys, disabling, revoking), a
 * token is not taken on its word, even in the moments before its revocation reaches this process.
 * The row stays share-locked until `tx` ends, so a concurrent disable is either seen here or
 * comes after the change. API keys pass: they are checked against the database on every request.
 */
export const requireCurrentOperator = (tx: Sql, principal: Principal): Effect.Effect<void, Unauthorized | Effect.Error<ReturnType<typeof exec>>> => {
  if (principal.kind !== "operator") return Effect.void
  return exec(() => tx`
    select role, tenant, disabled_at is not null as disabled from users.operators where id = ${principal.operatorId} for share`).pipe(
    Effect.flatMap(decodeState),
    Effect.flatMap(([state]) => {
      const reason = !state
        ? "the operator behind this credential no longer exists"
        : state.disabled
        ? "the operator behind this credential is disabled"
        : state.role !== principal.role || state.tenant !== principal.tenant
        ? "the operator's role has changed since this token was issued; log in again"
        : undefined
      return reason === undefined
        ? Effect.void
        : Effect.logWarning("stale operator token refused").pipe(
          Effect.annotateLogs({ operatorId: principal.operatorId, reason }),
          Effect.andThen(Effect.fail(new Unauthorized({ reason })))
        )
    })
  )
}
