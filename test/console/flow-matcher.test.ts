import { describe, expect, test } from "bun:test"
import { flowMatcher } from "../../src/console/kafka/flow-matcher.ts"
import type { ConsoleRecord } from "../../src/console/kafka/record.ts"
import { derivedEventId, offsetEventId } from "../../src/events/event-id.ts"

let offset = 0
const record = (topic: string, value: unknown, partition = 0): ConsoleRecord => ({
  topic,
  partition,
  offset: String(offset++),
  timestamp: "2026-06-01T12:00:00.000Z",
  key: "meiwei:u1",
  headers: {},
  value: typeof value === "string" ? value : JSON.stringify(value)
})

describe("following one event's flow", () => {
  test("a purchase without an id is known by where it sits, and what it caused follows it, whatever order they are read in", () => {
    const buy = record("buy", { tenant: "meiwei", product: "bread", amount: 101, userId: "u1" }, 2)
    const root = offsetEventId("buy", 2, buy.offset)
    const fulfillment = derivedEventId("fulfillment", root, "f1")
    const reward = derivedEventId("reward", fulfillment, "c1", "r1")
    const matcher = flowMatcher(root)
    const notify = record("reward-notify", { tenant: "meiwei", userId: "u1", points: 100, balance: 100, eventId: derivedEventId("reward-notify", reward) })
    const rewardRecord = record("reward", { tenant: "meiwei", eventId: reward, causeEventId: fulfillment })
    // Read before their causes: they wait.
    expect(matcher.offer(notify)).toEqual([])
    expect(matcher.offer(rewardRecord)).toEqual([])
    expect(matcher.offer(record("buy", { tenant: "meiwei", product: "tea", amount: 1, userId: "u1" }))).toEqual([])
    expect(matcher.offer(buy).map((h) => h.record.topic)).toEqual(["buy"])
    const hops = matcher.offer(record("fulfillment", { tenant: "meiwei", eventId: fulfillment, causeEventId: root }))
    expect(hops.map((h) => [h.record.topic, h.eventId, h.landed])).toEqual([
      ["fulfillment", fulfillment, false],
      ["reward", reward, false],
      ["reward-notify", derivedEventId("reward-notify", reward), true]
    ])
    // Read again after a rejoin: nothing new.
    expect(matcher.offer(buy)).toEqual([])
  })

  test("a dead letter of the event, or of one it caused, is a hop with its reason", () => {
    const matcher = flowMatcher("order-1")
    const original = JSON.stringify({ tenant: "meiwei", product: "bread", amount: "lots", userId: "u1", eventId: "order-1" })
    const [hop] = matcher.offer(record("buy.dlq", { error: "amount: Expected number", topic: "buy", partition: 0, offset: "9", key: "meiwei:u1", value: original, valueEncoding: "utf8" }))
    expect(hop).toMatchObject({ eventId: "order-1", deadLetter: "amount: Expected number", landed: false })
    expect(matcher.offer(record("buy.dlq", { error: "x", topic: "buy", partition: 0, offset: "10", key: null, value: "not json", valueEncoding: "utf8" }))).toEqual([])
    const withoutId = flowMatcher(offsetEventId("buy", 1, "4"))
    expect(withoutId.offer(record("buy.dlq", { error: "unknown tenant", topic: "buy", partition: 1, offset: "4", key: null, value: "{}", valueEncoding: "utf8" }))).toHaveLength(1)
  })
})
