import { describe, expect, test } from "bun:test"
import { deadLetterFor, deadLetterLogLines } from "../../src/kafka/dead-letter.ts"

const letter = (offset: number, reason: string) =>
  deadLetterFor({ topic: "buy", partition: 2, offset: String(offset), key: Buffer.from("meiwei:u1"), value: Buffer.from("{not json") }, reason)

describe("the dead-letter log line", () => {
  test("names the topic, partition, offset, dead-letter topic and reason of each dead letter", () => {
    const emitted = [{ topic: "fulfillment", key: "k", value: "{}" }, letter(41, "amount: must be at least 0")]
    expect(deadLetterLogLines(emitted)).toEqual(["dead letter: buy partition 2 offset 41 sent to buy.dlq: amount: must be at least 0"])
  })

  test("a batch full of dead letters logs a bounded number of lines and counts the rest", () => {
    const emitted = Array.from({ length: 25 }, (_, i) => letter(i, "not JSON"))
    const lines = deadLetterLogLines(emitted, 20)
    expect(lines).toHaveLength(21)
    expect(lines[19]).toBe("dead letter: buy partition 2 offset 19 sent to buy.dlq: not JSON")
    expect(lines[20]).toBe("dead letter: and 5 more in this batch")
  })
})
