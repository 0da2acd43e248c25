import { describe, expect, test } from "bun:test"
import { type CompletionRecord, rejudge } from "../../../src/actors/fulfillment/refunds/completion-record.ts"
import { type Order, type OrderLine, refund } from "../../../src/actors/fulfillment/refunds/order.ts"
import * as D from "../../../src/domain/decimal.ts"

const dec = D.fromText
const line = (eventId: string, amount: string, at: number, refunded = "0"): OrderLine =>
  ({ eventId, product: "bread", amount: dec(amount), judged: dec(amount), refunded: dec(refunded), at })
const order = (...lines: Array<OrderLine>): Order => ({ tenant: "t", orderId: "o-1", userId: "ada", lines, heldRefunds: 0 })
const refundedOf = (result: ReturnType<typeof refund>) =>
  result.kind === "applied" ? result.order.lines.map((l) => D.toText(l.refunded)) : result.reason

describe("refunding an order", () => {
  test("is taken from the latest purchase first, then the one before; partial refunds add up", () => {
    const bought = order(line("a", "50", 1), line("b", "30", 3), line("c", "20", 2))
    expect(refundedOf(refund(bought, dec("25")))).toEqual(["0", "25", "0"])
    const once = refund(bought, dec("45"))
    expect(refundedOf(once)).toEqual(["0", "30", "15"])
    if (once.kind !== "applied") throw new Error("refused")
    expect(once.changed.map((l) => l.eventId)).toEqual(["b", "c"])
    expect(refundedOf(refund(once.order, dec("40")))).toEqual(["35", "30", "20"])
  })

  test("of the rest takes all that is left; more than is left, or the rest of nothing, is refused with the reason", () => {
    expect(refundedOf(refund(order(line("a", "50", 1, "10")), undefined))).toEqual(["50"])
    expect(refundedOf(refund(order(line("a", "50", 1, "10")), dec("40.0001")))).toBe(
      "refunds 40.0001 of order o-1, but only 40 of the 50 bought is left to refund (10 refunded already)")
    expect(refundedOf(refund(order(line("a", "50", 1, "50")), undefined))).toBe(
      "refunds the rest of order o-1, but nothing is left to refund: all 50 bought is refunded already")
  })
})

describe("judging a completion again", () => {
  const record = (count: number, total: string | undefined, parts: Array<[string, string]>): CompletionRecord => ({
    tenant: "t", fulfillmentEventId: "f-1", userId: "ada", fulfillmentId: "rule",
    rule: { amount: dec("10"), count, total: total === undefined ? undefined : dec(total), signature: "sig" },
    parts: parts.map(([eventId, amount], i) => ({ eventId, ref: eventId === "a" ? "o-1" : `o-${eventId}`, at: i, amount: dec(amount) })),
    revoked: false
  })

  test("a goal of two purchases of 10 or more is revoked once one of them is worth less than 10", () => {
    const verdict = rejudge(record(2, undefined, [["a", "30"], ["b", "40"]]), "o-1", [line("a", "30", 0, "21")])
    expect(verdict).toMatchObject({ kind: "revoked", basis: D.zero, refundedBasis: dec("70") })
    if (verdict.kind !== "revoked") throw new Error("not revoked")
    expect(verdict.survivors.map((p) => p.eventId)).toEqual(["b"])
  })

  test("a total still met shrinks the spend; a purchase no longer refunded is unchanged", () => {
    expect(rejudge(record(1, "50", [["a", "30"], ["b", "40"]]), "o-1", [line("a", "30", 0, "15")])).toMatchObject({ kind: "shrunk", basis: dec("55"), refundedBasis: dec("15") })
    expect(rejudge(record(1, "50", [["a", "30"], ["b", "40"]]), "o-1", [line("a", "30", 0)])).toEqual({ kind: "unchanged" })
  })
})
