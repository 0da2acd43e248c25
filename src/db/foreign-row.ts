import { Effect } from "effect"
import { Forbidden, type NotFound } from "../domain/errors.ts"
import type { TenantScope } from "../domain/tenant-scope.ts"
import { exec, type Sql } from "./database.ts"

/** Tables whose rows belong to one tenant and are addressed by `id`. */
export type TenantOwnedTable =
  | "reward.rewards"
  | "fulfillment.fulfillments"
  | "campaign.campaigns"
  | "users.members"
  | "users.operators"
  | "users.api_keys"

/**
 * A write by id that matched nothing in the caller's scope: refused with 403 when the row belongs to
 * another tenant (the caller named another tenant's data), 404 when it does not exist at all. Reads
 * never come here: another tenant's rows are simply not found.
 */
export const missingInScope = (sql: Sql, table: TenantOwnedTable, scope: TenantScope, id: string, notFound: NotFound) =>
  scope._tag === "AllTenants"
    ? Effect.fail(notFound)
    : exec(() => sql<Array<{ foreign: boolean }>>`
        select exists (select 1 from ${sql(table)} where id::text = ${id} and tenant <> ${scope.tenant}) as foreign`).pipe(
      Effect.flatMap((rows) =>
        Effect.fail(rows[0]?.foreign ? new Forbidden({ reason: `${notFound.resource} ${id} belongs to another tenant` }) : notFound)
      )
    )
