import { describe, expect, test } from "bun:test"
import { createRequire } from "node:module"
import { requestQueuePatched } from "../../src/kafka/kafkajs-request-queue.ts"
import "../../src/kafka/kafka-client.ts"

const RequestQueue = createRequire(import.meta.url)("kafkajs/src/network/requestQueue/index.js")
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
const queue = (maxInFlightRequests = 1) =>
  new RequestQueue({ maxInFlightRequests, requestTimeout: 1000, enforceRequestTimeout: false, clientId: "test", broker: "b:9092", logger: quiet })
/** A request that expects no response: sent is all there is to it. */
const request = (sent: Array<number>, correlationId: number) => ({ correlationId, expectResponse: false, send: () => sent.push(correlationId), completed: () => {} })

describe("kafkajs's request queue", () => {
  test("is patched wherever kafkajs is used by the process", () => {
    expect(requestQueuePatched()).toBe(true)
  })

  test("schedules nothing when no request waits (kafkajs itself re-armed a 1 ms timer after every response, forever)", () => {
    const q = queue()
    q.checkPendingRequests()
    expect(q.throttleCheckTimeoutId).toBeNull()
    q.fulfillRequest({ correlationId: 7, payload: null, size: 0 })
    expect(q.throttleCheckTimeoutId).toBeNull()
  })

  test("a request that waits for a throttle goes out when the throttle ends", async () => {
    const q = queue()
    const sent: Array<number> = []
    q.throttledUntil = Date.now() + 60
    q.pending.push(request(sent, 1))
    q.scheduleCheckPendingRequests()
    expect(sent).toEqual([])
    await Bun.sleep(150)
    expect(sent).toEqual([1])
    expect(q.throttleCheckTimeoutId).toBeNull()
  })

  test("a request that waits for a full queue goes out once an in-flight one is answered", () => {
    const q = queue(1)
    const sent: Array<number> = []
    q.inflight.set(1, { correlationId: 1, completed: () => {} })
    q.pending.push(request(sent, 2))
    q.scheduleCheckPendingRequests()
    expect(sent).toEqual([])
    q.fulfillRequest({ correlationId: 1, payload: null, size: 0 })
    expect(sent).toEqual([2])
    clearTimeout(q.throttleCheckTimeoutId)
  })
})
