import { describe, expect, test } from "bun:test"
import { Result } from "effect"
import { BuyEvent } from "../../src/events/buy.ts"
import { deadLetterFor, maxReasonLength } from "../../src/kafka/dead-letter.ts"
import { makeEventDecoder } from "../../src/kafka/decode-event.ts"
import { maxJsonDepth } from "../../src/platform/bounded-json.ts"

const decode = makeEventDecoder(BuyEvent)
const reasonOf = (value: string | Buffer) => {
  const outcome = decode(Buffer.isBuffer(value) ? value : Buffer.from(value))
  if (Result.isSuccess(outcome)) throw new Error("expected a refusal")
  return outcome.failure
}

describe("decoding an event value", () => {
  test(`a value nested deeper than ${maxJsonDepth} levels is refused before it is parsed or validated`, () => {
    const started = performance.now()
    const reason = reasonOf("[".repeat(50_000) + "]".repeat(50_000))
    expect(performance.now() - started).toBeLessThan(100)
    expect(reason).toBe(`the value nests deeper than ${maxJsonDepth} levels`)
    expect(reasonOf(`{"tenant":"meiwei","product":${"[".repeat(maxJsonDepth)}${"]".repeat(maxJsonDepth)}}`)).toBe(`the value nests deeper than ${maxJsonDepth} levels`)
  })

  test("a reason never quotes the value, however it is wrong", () => {
    const secret = "x".repeat(200_000)
    for (const value of [
      JSON.stringify({ tenant: "meiwei", product: { secret }, amount: 1, userId: "u" }),
      JSON.stringify([secret]),
      `{"tenant": ${secret}}`,
      `{"tenant": "${secret}`
    ]) {
      const reason = reasonOf(value)
      expect(reason).not.toContain("xxxxxxxxxx")
      expect(reason.length).toBeLessThan(400)
    }
    expect(reasonOf(`{"tenant": ${secret}}`)).toStartWith("malformed JSON")
  })

  test("a dead letter's reason is bounded, and it still carries the original bytes", () => {
    const value = Buffer.from("y".repeat(10_000))
    const letter = JSON.parse(deadLetterFor({ topic: "buy", partition: 0, offset: "7", key: null, value }, `cannot be applied: ${"z".repeat(100_000)}`).value as string)
    expect(letter.error.length).toBeLessThanOrEqual(maxReasonLength)
    expect(letter.error).toEndWith("(truncated)")
    expect(letter.value).toBe(value.toString())
  })
})
