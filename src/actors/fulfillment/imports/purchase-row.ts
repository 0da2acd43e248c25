import { Result } from "effect"
import { makeValidator } from "../../../domain/validation.ts"
import { BuyEvent } from "../../../events/buy.ts"
import type { ImportFormat } from "../../../imports/records.ts"
import { refusalOf } from "../../../imports/runner.ts"

/**
 * A historical purchase is a row of the `buy` event's own fields: one row per purchase (an order
 * with several lines is one row with its total, or one row per line each with its own `eventId`).
 */
export const purchaseColumns = { required: ["userId", "amount", "occurredAt"], optional: ["eventId", "orderId", "product", "currency", "tenant"] } as const

export type IdentifiedBuy = BuyEvent & { readonly eventId: string }

const validate = makeValidator(BuyEvent)
const numeral = /^-?\d+(\.\d+)?$/

/**
 * A record as a purchase of the import's tenant, validated by the `buy` event's schema (a CSV
 * amount is read as the number it spells; a missing product is ""), and identified as
 * `POST /events/buy` identifies it: its `eventId`, else its `orderId` (a purchase is one order).
 */
export const decodePurchase = (tenant: string) => (values: Record<string, unknown>, format: ImportFormat) => {
  const amount = values.amount
  const event = {
    ...values,
    tenant: values.tenant ?? tenant,
    product: values.product ?? "",
    amount: format === "csv" && typeof amount === "string" && numeral.test(amount) ? Number(amount) : amount
  }
  const decoded = validate(event)
  if (Result.isFailure(decoded)) return Result.fail(refusalOf(decoded.failure))
  const buy = decoded.success
  if (buy.tenant !== tenant) return Result.fail({ field: "tenant", reason: `the row is of tenant ${buy.tenant}, the import of ${tenant}` })
  if (buy.occurredAt === undefined) return Result.fail({ field: "occurredAt", reason: "required: when the purchase happened" })
  const eventId = buy.eventId ?? buy.orderId
  if (eventId === undefined) return Result.fail({ field: "eventId", reason: "required: give the row an eventId or an orderId, so that importing the file again credits nothing twice" })
  return Result.succeed<IdentifiedBuy>({ ...buy, eventId })
}
