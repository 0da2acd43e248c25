import { Effect } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { decodeRows, isoTime } from "../../db/rows.ts"
import { tenantFilter } from "../../db/tenant-filter.ts"
import { decimalText } from "../../domain/primitives.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { BuyFulfillment, type FulfillmentKind, TagFulfillment } from "./model.ts"

const buyColumns = (sql: Sql) => sql`
  tenant, id::text as fulfillment_id, name, product, amount::float8 as amount,
  ${isoTime(sql, "created_at")} as created_at, ${isoTime(sql, "updated_at")} as updated_at`

const tagColumns = (sql: Sql) => sql`
  tenant, id::text as fulfillment_id, name, tag,
  ${isoTime(sql, "created_at")} as created_at, ${isoTime(sql, "updated_at")} as updated_at`

/** How one kind of fulfillment is read back: both kinds share the table, not the shape. */
export interface KindRows<A> {
  readonly kind: FulfillmentKind
  readonly columns: typeof buyColumns
  readonly decode: (rows: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<A>>
}

export const buyRows: KindRows<BuyFulfillment> = { kind: "buy", columns: buyColumns, decode: decodeRows(BuyFulfillment) }
export const tagRows: KindRows<TagFulfillment> = { kind: "tag", columns: tagColumns, decode: decodeRows(TagFulfillment) }

const first = <A>(rows: ReadonlyArray<A>) => rows[0]

export interface NewFulfillment {
  readonly id: string
  readonly tenant: string
  readonly name: string
}

export const insertBuy = (sql: Sql, fulfillment: NewFulfillment & { readonly product: string; readonly amount: number }) =>
  exec(() => sql`
    insert into fulfillment.fulfillments (id, tenant, kind, name, product, amount)
    values (${fulfillment.id}, ${fulfillment.tenant}, 'buy', ${fulfillment.name}, ${fulfillment.product}, ${decimalText(fulfillment.amount)}::numeric)
    returning ${buyColumns(sql)}`).pipe(Effect.flatMap(buyRows.decode), Effect.map((rows) => rows[0]!))

export const insertTag = (sql: Sql, fulfillment: NewFulfillment & { readonly tag: string }) =>
  exec(() => sql`
    insert into fulfillment.fulfillments (id, tenant, kind, name, tag)
    values (${fulfillment.id}, ${fulfillment.tenant}, 'tag', ${fulfillment.name}, ${fulfillment.tag})
    returning ${tagColumns(sql)}`).pipe(Effect.flatMap(tagRows.decode), Effect.map((rows) => rows[0]!))

export const listFulfillments = <A>(sql: Sql, rows: KindRows<A>, scope: TenantScope, page: { limit: number; offset: number }) =>
  exec(() => sql`
    select ${rows.columns(sql)} from fulfillment.fulfillments t
    where kind = ${rows.kind} and ${tenantFilter(sql, scope)}
    order by t.created_at, t.id limit ${page.limit} offset ${page.offset}`).pipe(Effect.flatMap(rows.decode))

export const findFulfillment = <A>(sql: Sql, rows: KindRows<A>, scope: TenantScope, id: string) =>
  exec(() => sql`
    select ${rows.columns(sql)} from fulfillment.fulfillments
    where id = ${id} and kind = ${rows.kind} and ${tenantFilter(sql, scope)}`).pipe(Effect.flatMap(rows.decode), Effect.map(first))

export const updateBuy = (sql: Sql, scope: TenantScope, id: string, changes: { name: string | undefined; product: string; amount: number }) =>
  exec(() => sql`
    update fulfillment.fulfillments
    set product = ${changes.product}, amount = ${decimalText(changes.amount)}::numeric,
        name = coalesce(${changes.name ?? null}::text, name), updated_at = now()
    where id = ${id} and kind = 'buy' and ${tenantFilter(sql, scope)}
    returning ${buyColumns(sql)}`).pipe(Effect.flatMap(buyRows.decode), Effect.map(first))

export const updateTag = (sql: Sql, scope: TenantScope, id: string, changes: { name: string | undefined; tag: string }) =>
  exec(() => sql`
    update fulfillment.fulfillments
    set tag = ${changes.tag}, name = coalesce(${changes.name ?? null}::text, name), updated_at = now()
    where id = ${id} and kind = 'tag' and ${tenantFilter(sql, scope)}
    returning ${tagColumns(sql)}`).pipe(Effect.flatMap(tagRows.decode), Effect.map(first))

export const deleteFulfillment = (sql: Sql, kind: FulfillmentKind, scope: TenantScope, id: string) =>
  exec(() => sql`
    delete from fulfillment.fulfillments
    where id = ${id} and kind = ${kind} and ${tenantFilter(sql, scope)} returning id`).pipe(Effect.map((rows) => rows.length > 0))
