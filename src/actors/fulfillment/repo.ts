import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import { tenantFilter } from "../../db/tenant-filter.ts"
import { decimalText } from "../../domain/primitives.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { BuyFulfillment, type FulfillmentKind, TagFulfillment } from "./model.ts"

// Goal columns that are null (not set) are left out of the answer.
const goalColumns = (sql: Sql) => sql`goal_count as count, goal_within as within, goal_period as period`

const buyColumns = (sql: Sql) => sql`
  tenant, id::text as fulfillment_id, name, product, amount::float8 as amount, ${goalColumns(sql)}, goal_total::float8 as total,
  ${isoTime(sql, "created_at")} as created_at, ${isoTime(sql, "updated_at")} as updated_at`

const tagColumns = (sql: Sql) => sql`
  tenant, id::text as fulfillment_id, name, tag, ${goalColumns(sql)},
  ${isoTime(sql, "created_at")} as created_at, ${isoTime(sql, "updated_at")} as updated_at`

const withoutNulls = (rows: ReadonlyArray<Record<string, unknown>>) =>
  rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null)))

/** How one kind of fulfillment is read back: both kinds share the table, not the shape. */
export interface KindRows<A> {
  readonly kind: FulfillmentKind
  readonly columns: typeof buyColumns
  readonly decode: (rows: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<A>>
}

const decodeWithoutNulls = <A>(decode: (rows: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<A>>) => (rows: ReadonlyArray<unknown>) =>
  decode(withoutNulls(rows as ReadonlyArray<Record<string, unknown>>))

export const buyRows: KindRows<BuyFulfillment> = { kind: "buy", columns: buyColumns, decode: decodeWithoutNulls(decodeRows(BuyFulfillment)) }
export const tagRows: KindRows<TagFulfillment> = { kind: "tag", columns: tagColumns, decode: decodeWithoutNulls(decodeRows(TagFulfillment)) }

const first = <A>(rows: ReadonlyArray<A>) => rows[0]

export interface NewFulfillment {
  readonly id: string
  readonly tenant: string
  readonly name: string
}

/** A fulfillment's goal as the request gave it; absent fields are stored as null (not set). */
export interface GoalInput {
  readonly count?: number | undefined
  readonly total?: number | undefined
  readonly within?: string | undefined
  readonly period?: string | undefined
}

const goalValues = (goal: GoalInput) => ({
  count: goal.count ?? null,
  total: goal.total === undefined ? null : decimalText(goal.total),
  within: goal.within ?? null,
  period: goal.period ?? null
})

export const insertBuy = (sql: Sql, fulfillment: NewFulfillment & GoalInput & { readonly product: string; readonly amount: number }) => {
  const goal = goalValues(fulfillment)
  return exec(() => sql`
    insert into fulfillment.fulfillments (id, tenant, kind, name, product, amount, goal_count, goal_total, goal_within, goal_period)
    values (${fulfillment.id}, ${fulfillment.tenant}, 'buy', ${fulfillment.name}, ${fulfillment.product}, ${decimalText(fulfillment.amount)}::numeric,
            ${goal.count}::integer, ${goal.total}::numeric, ${goal.within}::text, ${goal.period}::text)
    returning ${buyColumns(sql)}`).pipe(Effect.flatMap(buyRows.decode), Effect.map((rows) => rows[0]!))
}

export const insertTag = (sql: Sql, fulfillment: NewFulfillment & GoalInput & { readonly tag: string }) => {
  const goal = goalValues(fulfillment)
  return exec(() => sql`
    insert into fulfillment.fulfillments (id, tenant, kind, name, tag, goal_count, goal_within, goal_period)
    values (${fulfillment.id}, ${fulfillment.tenant}, 'tag', ${fulfillment.name}, ${fulfillment.tag}, ${goal.count}::integer, ${goal.within}::text, ${goal.period}::text)
    returning ${tagColumns(sql)}`).pipe(Effect.flatMap(tagRows.decode), Effect.map((rows) => rows[0]!))
}

export const listFulfillments = <A>(sql: Sql, rows: KindRows<A>, scope: TenantScope, page: { limit: number; offset: number }) =>
  exec(() => sql`
    select ${rows.columns(sql)} from fulfillment.fulfillments t
    where kind = ${rows.kind} and ${tenantFilter(sql, scope)}
    order by t.created_at, t.id limit ${page.limit} offset ${page.offset}`).pipe(Effect.flatMap(rows.decode))

export const findFulfillment = <A>(sql: Sql, rows: KindRows<A>, scope: TenantScope, id: string) =>
  exec(() => sql`
    select ${rows.columns(sql)} from fulfillment.fulfillments
    where id = ${id} and kind = ${rows.kind} and ${tenantFilter(sql, scope)}`).pipe(Effect.flatMap(rows.decode), Effect.map(first))

export const updateBuy = (sql: Sql, scope: TenantScope, id: string, changes: GoalInput & { name: string | undefined; product: string; amount: number }) => {
  const goal = goalValues(changes)
  return exec(() => sql`
    update fulfillment.fulfillments
    set product = ${changes.product}, amount = ${decimalText(changes.amount)}::numeric,
        goal_count = ${goal.count}::integer, goal_total = ${goal.total}::numeric, goal_within = ${goal.within}::text, goal_period = ${goal.period}::text,
        name = coalesce(${changes.name ?? null}::text, name), updated_at = now()
    where id = ${id} and kind = 'buy' and ${tenantFilter(sql, scope)}
    returning ${buyColumns(sql)}`).pipe(Effect.flatMap(buyRows.decode), Effect.map(first))
}

export const updateTag = (sql: Sql, scope: TenantScope, id: string, changes: GoalInput & { name: string | undefined; tag: string }) => {
  const goal = goalValues(changes)
  return exec(() => sql`
    update fulfillment.fulfillments
    set tag = ${changes.tag}, goal_count = ${goal.count}::integer, goal_within = ${goal.within}::text, goal_period = ${goal.period}::text,
        name = coalesce(${changes.name ?? null}::text, name), updated_at = now()
    where id = ${id} and kind = 'tag' and ${tenantFilter(sql, scope)}
    returning ${tagColumns(sql)}`).pipe(Effect.flatMap(tagRows.decode), Effect.map(first))
}

/** The fulfillment and every user's progress towards it, in one statement. */
export const deleteFulfillment = (sql: Sql, kind: FulfillmentKind, scope: TenantScope, id: string) =>
  exec(() => sql`
    with gone as (
      delete from fulfillment.fulfillments
      where id = ${id} and kind = ${kind} and ${tenantFilter(sql, scope)} returning id, tenant
    ), progress as (
      delete from fulfillment.goal_progress g using gone where g.tenant = gone.tenant and g.fulfillment_id = gone.id
    )
    select id from gone`).pipe(Effect.map((rows) => rows.length > 0))
