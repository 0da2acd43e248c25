import type { TenantScope } from "../domain/tenant-scope.ts"
import type { Sql } from "./database.ts"

/** The SQL predicate of a tenant scope on a table's `tenant` column. */
export const tenantFilter = (sql: Sql, scope: TenantScope, column = "tenant") =>
  scope._tag === "AllTenants" ? sql`true` : sql`${sql(column)} = ${scope.tenant}`
