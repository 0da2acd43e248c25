import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import type { AnyElysia } from "elysia"
import { Partitioners } from "kafkajs"
import { buildConsoleApp } from "../../src/console/definition.ts"
import { ConsoleKafka } from "../../src/console/kafka/console-kafka.ts"
import { derivedEventId } from "../../src/events/event-id.ts"
import { KafkaClient } from "../../src/kafka/kafka-client.ts"
import { request } from "../support/app.ts"
import { type AuthRuntime, accessToken, bearer } from "../support/credentials.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { openApiErrors } from "../support/openapi.ts"
import { publishTenants } from "../support/tenants.ts"

const mine = "console-a"
const theirs = "console-b"

/** The console's own Kafka routes over a real broker, with credentials checked for real. */
describe("the console's Kafka routes", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<ConsoleKafka>>
  let app: AnyElysia
  const as: Record<string, Record<string, string>> = {}

  /** Produces records as a shop or a service would, straight to the broker. */
  const produce = (topic: string, records: ReadonlyArray<{ key: string | null; value: unknown; partition?: number }>) =>
    runtime.runPromise(Effect.gen(function*() {
      const { kafka } = yield* KafkaClient
      return yield* Effect.promise(async () => {
        const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
        await producer.connect()
        const sent = await producer.send({ topic, acks: -1, messages: records.map((r) => ({ key: r.key, value: typeof r.value === "string" ? r.value : JSON.stringify(r.value), partition: r.partition ?? 0 })) })
        await producer.disconnect()
        return sent
      })
    }))
  const call = async (method: string, path: string, who: string, body?: unknown) => {
    const response = await request(app, method, path, body, as[who])
    const text = await response.text()
    return { status: response.status, body: text.startsWith("{") ? JSON.parse(text) : text }
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, ConsoleKafka.layer)
    app = (await runtime.runPromise(buildConsoleApp as never)) as AnyElysia
    const auth = runtime as unknown as AuthRuntime
    as.nobody = {}
    as.admin = bearer(await accessToken(auth, "tenant-admin", mine))
    as.viewer = bearer(await accessToken(auth, "tenant-viewer", mine))
    as.other = bearer(await accessToken(auth, "tenant-admin", theirs))
    as.platform = bearer(await accessToken(auth, "admin", null))
    const topics = ["buy", "buy.dlq", "fulfillment", "reward", "reward-notify", "tenant"]
    await runtime.runPromise(Effect.gen(function*() {
      const { admin, kafka } = yield* ConsoleKafka
      yield* Effect.promise(() => admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 2 })) }))
      // The user service publishes every tenant; the console learns them from the topic.
      yield* Effect.promise(() => publishTenants(kafka, [mine, theirs]))
    }))
  }, 60_000)
  afterAll(async () => {
    await runtime?.dispose()
    await database?.drop()
  })

  test("publish a valid OpenAPI document: every route with its access rule and problem-details errors; the page and the proxy are not API routes", async () => {
    const document = (await (await request(app, "GET", "/swagger/json")).json()) as { paths: Record<string, Record<string, { "x-loyaltea-access"?: string; responses: Record<string, unknown> }>> }
    expect(await openApiErrors(document)).toEqual([])
    const operations = Object.entries(document.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ route: `${method} ${path}`, op })))
    expect(operations.map((o) => o.route).filter((r) => r.includes("/kafka/")).sort()).toEqual([
      "get /kafka/dead-letters", "get /kafka/follow/{eventId}", "get /kafka/topics", "get /kafka/topics/{topic}/messages",
      "post /kafka/dead-letters/resend", "post /kafka/events/activity", "post /kafka/events/buy", "post /kafka/events/refund"
    ])
    for (const { op, route } of operations.filter((o) => o.route.includes("/kafka/"))) {
      expect(`${route} ${op["x-loyaltea-access"]}`).toMatch(/ (read|write|events)$/)
      expect(`${route} ${Object.keys(op.responses).filter((s) => ["401", "403", "422", "503"].includes(s)).join(",")}`).toBe(`${route} 401,403,422,503`)
    }
    expect(operations.some((o) => o.route.startsWith("get /api") || o.route.startsWith("get /assets"))).toBe(false)
  })

  test("serve the page and its bundle from this server, under a policy that lets it load nothing from elsewhere", async () => {
    const page = await request(app, "GET", "/")
    expect(page.status).toBe(200)
    const policy = page.headers.get("content-security-policy")!
    expect(policy).toContain("default-src 'none'")
    expect(policy).toContain("script-src 'self'")
    expect(policy).toContain("connect-src 'self'")
    const html = await page.text()
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!
    const asset = await request(app, "GET", script)
    expect(asset.status).toBe(200)
    expect(asset.headers.get("content-type")).toContain("javascript")
    const code = await asset.text()
    expect(code.length).toBeGreaterThan(50_000)
    expect(code).not.toMatch(/https?:\/\/(unpkg|cdn|fonts\.googleapis)/)
  })

  test("refuse a caller without a credential (401) before anything reads Kafka", async () => {
    for (const path of ["/kafka/topics", "/kafka/topics/buy/messages", "/kafka/dead-letters", "/kafka/follow/x"]) {
      const response = await call("GET", path, "nobody")
      expect(`${path} → ${response.status}`).toBe(`${path} → 401`)
      expect(response.body.type).toBe("urn:loyaltea:problem:unauthorized")
    }
    expect((await call("POST", "/kafka/dead-letters/resend", "nobody", { tenant: mine, topic: "buy.dlq", partition: 0, offset: "0" })).status).toBe(401)
  })

  test("browse a topic: newest first or from an offset, with key and headers, and only the caller's tenant's records", async () => {
    await produce("buy", [
      { key: `${mine}:u1`, value: { tenant: mine, product: "bread", amount: 1, userId: "u1" } },
      { key: `${theirs}:u2`, value: { tenant: theirs, product: "cake", amount: 2, userId: "u2" } },
      { key: `${mine}:u1`, value: { tenant: mine, product: "tea", amount: 3, userId: "u1" } }
    ])
    const newest = await call("GET", "/kafka/topics/buy/messages?limit=10", "admin")
    expect(newest.status).toBe(200)
    expect(newest.body.records.map((r: { value: string }) => JSON.parse(r.value).product)).toEqual(["tea", "bread"])
    expect(newest.body.hidden).toBe(1)
    expect(newest.body.records[0]).toMatchObject({ topic: "buy", partition: 0, offset: "2", key: `${mine}:u1`, headers: {} })

    const fromOffset = await call("GET", "/kafka/topics/buy/messages?partition=0&offset=1&limit=1", "platform")
    expect(fromOffset.body.records.map((r: { offset: string; value: string }) => [r.offset, JSON.parse(r.value).product])).toEqual([["1", "cake"]])

    const overview = await call("GET", "/kafka/topics", "viewer")
    expect(overview.status).toBe(200)
    const buy = overview.body.topics.find((t: { topic: string }) => t.topic === "buy")
    expect(buy.partitions).toEqual([{ partition: 0, low: "0", high: "3" }, { partition: 1, low: "0", high: "0" }])
    expect(buy.records).toBe("3")
  })

  test("answer a topic that does not exist with 404 and a bad query with 422 naming the field", async () => {
    expect((await call("GET", "/kafka/topics/nope/messages", "admin")).status).toBe(404)
    const bad = await call("GET", "/kafka/topics/buy/messages?limit=0", "admin")
    expect(bad.status).toBe(422)
    expect(bad.body.field).toBe("limit")
  })

  test("send a dead letter again: once per call, with a header naming it; a viewer and another tenant are refused", async () => {
    const original = JSON.stringify({ tenant: mine, product: "bread", amount: "lots", userId: "u1" })
    const [at] = await produce("buy.dlq", [{ key: `${mine}:u1`, value: { error: "amount: expected a number", topic: "buy", partition: 1, offset: "7", key: `${mine}:u1`, value: original, valueEncoding: "utf8" } }])
    const position = { tenant: mine, topic: "buy.dlq", partition: at!.partition, offset: at!.baseOffset }

    const listed = await call("GET", "/kafka/dead-letters", "viewer")
    expect(listed.body.deadLetters.map((d: { deadLetter: { error: string } }) => d.deadLetter.error)).toContain("amount: expected a number")
    expect((await call("GET", "/kafka/dead-letters", "other")).body.deadLetters).toEqual([])

    expect((await call("POST", "/kafka/dead-letters/resend", "viewer", position)).status).toBe(403)
    expect((await call("POST", "/kafka/dead-letters/resend", "other", position)).status).toBe(403)
    expect((await call("POST", "/kafka/dead-letters/resend", "other", { ...position, tenant: theirs })).status).toBe(404)
    const unknown = await call("POST", "/kafka/dead-letters/resend", "platform", { ...position, tenant: "no-such-tenant" })
    expect([unknown.status, unknown.body.field]).toEqual([422, "tenant"])

    const before = (await call("GET", "/kafka/topics/buy/messages?partition=0&limit=200", "platform")).body.records.length
    const first = await call("POST", "/kafka/dead-letters/resend", "admin", position)
    const second = await call("POST", "/kafka/dead-letters/resend", "admin", position)
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ from: `buy.dlq/${position.partition}/${position.offset}`, topic: "buy" })
    expect(second.body.offset).not.toBe(first.body.offset)
    const resent = (await call("GET", `/kafka/topics/buy/messages?partition=${first.body.partition}&offset=${first.body.offset}&limit=1`, "admin")).body.records[0]
    expect(resent.value).toBe(original)
    expect(resent.key).toBe(`${mine}:u1`)
    expect(resent.headers["loyaltea-resent-from"]).toBe(`buy.dlq/${position.partition}/${position.offset}`)
    expect(before).toBeGreaterThan(0)
  })

  test("produce a test event to its topic; a viewer is refused, and an unknown tenant or a bad event is a 422 naming the field", async () => {
    const sent = await call("POST", "/kafka/events/buy", "admin", { tenant: mine, product: "bread", amount: 101, userId: "u7" })
    expect(sent.status).toBe(201)
    expect(sent.body.eventId).toBe(`loyaltea:buy/${sent.body.partition}/${sent.body.offset}`)
    expect((await call("POST", "/kafka/events/buy", "viewer", { tenant: mine, product: "bread", amount: 101, userId: "u7" })).status).toBe(403)
    expect((await call("POST", "/kafka/events/buy", "other", { tenant: mine, product: "bread", amount: 101, userId: "u7" })).status).toBe(403)
    const unknown = await call("POST", "/kafka/events/buy", "platform", { tenant: "no-such-tenant", product: "bread", amount: 101, userId: "u7" })
    expect([unknown.status, unknown.body.field, unknown.body.detail]).toEqual([422, "tenant", "tenant: no tenant no-such-tenant"])
    const bad = await call("POST", "/kafka/events/buy", "admin", { tenant: mine, product: "bread", amount: "lots", userId: "u7" })
    expect(bad.status).toBe(422)
    expect(bad.body.field).toBe("amount")
  })

  test("follow one event through the flow's topics: the event, what it caused, the reward's notify; nothing else", async () => {
    const root = `order-${randomUUID()}`
    const fulfillment = derivedEventId("fulfillment", root, "f1")
    const reward = derivedEventId("reward", fulfillment, "c1", "r1")
    const since = Date.now() - 1000
    const response = await request(app, "GET", `/kafka/follow/${root}?since=${since}&for=8000`, undefined, as.admin)
    expect(response.headers.get("content-type")).toContain("text/event-stream")
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ""
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { done, value } = await reader.read()
        if (done) break
        text += value
      }
    }
    await readUntil(/event: following/)
    await produce("reward-notify", [{ key: `${mine}:u1`, value: { kind: "credited", tenant: mine, userId: "u1", points: 100, balance: 100, eventId: derivedEventId("reward-notify", reward) } }])
    await produce("buy", [
      { key: `${mine}:u1`, value: { tenant: mine, product: "bread", amount: 101, userId: "u1", eventId: root } },
      { key: `${mine}:u1`, value: { tenant: mine, product: "bread", amount: 101, userId: "u1", eventId: "someone-else" } }
    ])
    await produce("fulfillment", [{ key: `${mine}:u1`, value: { tenant: mine, fulfillmentId: randomUUID(), userId: "u1", eventId: fulfillment, causeEventId: root } }])
    await produce("reward", [{ key: `${mine}:u1`, value: { tenant: mine, rewardId: randomUUID(), userId: "u1", campaignId: randomUUID(), eventId: reward, causeEventId: fulfillment } }])
    await readUntil(/"landed":true/)
    await reader.cancel()
    const hops = text.split("\n\n").filter((block) => block.startsWith("event: hop")).map((block) => JSON.parse(block.slice(block.indexOf("data: ") + 6)))
    // The notify was read before its cause: it waited for it.
    expect(hops.map((h: { record: { topic: string } }) => h.record.topic)).toEqual(["buy", "fulfillment", "reward", "reward-notify"])
    expect(hops.map((h: { eventId: string }) => h.eventId)).toEqual([root, fulfillment, reward, derivedEventId("reward-notify", reward)])
    expect(hops.at(-1).landed).toBe(true)
  }, 30_000)

  test("another tenant following the same id sees none of it", async () => {
    const root = `order-${randomUUID()}`
    const response = await request(app, "GET", `/kafka/follow/${root}?since=${Date.now() - 1000}&for=3000`, undefined, as.other)
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    let text = ""
    let produced = false
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      text += value
      if (!produced && text.includes("event: following")) {
        produced = true
        await produce("buy", [{ key: `${mine}:u1`, value: { tenant: mine, product: "bread", amount: 101, userId: "u1", eventId: root } }])
      }
    }
    expect(produced).toBe(true)
    expect(text).not.toContain("event: hop")
  }, 30_000)
})
