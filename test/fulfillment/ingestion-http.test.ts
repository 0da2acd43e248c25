import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import { Effect, Layer } from "effect"
import type { AnyElysia } from "elysia"
import { Kafka, logLevel } from "kafkajs"
import { fulfillmentService } from "../../src/actors/fulfillment/definition.ts"
import { EventIngestion, missingIdReason } from "../../src/actors/fulfillment/ingestion.ts"
import type { PurchaseImports } from "../../src/actors/fulfillment/imports/service.ts"
import type { FulfillmentUseCases } from "../../src/actors/fulfillment/service.ts"
import { Database } from "../../src/db/database.ts"
import { oneTenant } from "../../src/domain/tenant-scope.ts"
import { type Broker, silentLog, startBroker } from "../../src/kafka/broker/index.ts"
import { KafkaClient, KafkaUnavailable } from "../../src/kafka/kafka-client.ts"
import { EventProducer, EventProducerLive } from "../../src/kafka/producer.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { appOver, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { registerTenants } from "../support/tenants.ts"
import { tenant, userId } from "../support/values.ts"

const readmePurchase = `{"tenant": "meiwei", "product": "bread", "amount": 101, "userId": "0e41cc11-5e54-448b-a6ce-9c9a855ad202"}`
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

interface Published {
  readonly key: string
  readonly value: Record<string, unknown>
}

const routesOver = (client: Layer.Layer<KafkaClient>, producer: Layer.Layer<EventProducer, unknown, KafkaClient> = EventProducerLive) =>
  fulfillmentService.useCases.pipe(Layer.provide(producer.pipe(Layer.provideMerge(client))))

describe("event ingestion over HTTP, onto the embedded broker", () => {
  let database: TestDatabase
  let broker: Broker
  let kafka: Kafka
  let client: Layer.Layer<KafkaClient>
  let runtime: ReturnType<typeof useCasesRuntime<FulfillmentUseCases | EventIngestion | PurchaseImports | TenantDirectory>>
  let app: AnyElysia

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await request(app, "POST", path, body, headers)
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  /** Everything on `topic`, read back with kafkajs up to the end of every partition. */
  const readTopic = async (topic: string): Promise<Array<Published>> => {
    const admin = kafka.admin()
    await admin.connect()
    const ends = await admin.fetchTopicOffsets(topic)
    await admin.disconnect()
    const remaining = new Map(ends.map((end) => [end.partition, BigInt(end.high)]))
    const published: Array<Published> = []
    const consumer = kafka.consumer({ groupId: `read-back-${randomUUID()}`, maxWaitTimeInMs: 100 })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    const atEnd = Promise.withResolvers<void>()
    const check = () => [...remaining.values()].every((high) => high <= 0n) && atEnd.resolve()
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        published.push({ key: String(message.key), value: JSON.parse(String(message.value)) })
        remaining.set(partition, (remaining.get(partition) ?? 0n) - 1n)
        check()
      }
    })
    check()
    await atEnd.promise
    await consumer.disconnect()
    return published
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBroker({ port: 0, defaultPartitions: 3, log: silentLog })
    kafka = new Kafka({ clientId: "ingestion-test", brokers: [broker.address], logLevel: logLevel.NOTHING })
    client = Layer.succeed(KafkaClient, { kafka, brokers: [broker.address], mode: "embedded", target: broker.address })
    runtime = useCasesRuntime(database.url, routesOver(client))
    app = await appOver(runtime, "fulfillment", fulfillmentService.routes)
    await runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => Effect.promise(async () => {
      await registerTenants(db.sql, ["meiwei", "other"])
      await registerTenants(db.sql, ["lenient"], { allowEventsWithoutId: true })
    })))
  })
  afterAll(async () => {
    await runtime.dispose()
    await broker.close()
    await database.drop()
  })

  test("the README purchase without any id is refused with 422 naming eventId, and nothing is published", async () => {
    const response = await post("/events/buy", readmePurchase)
    expect(response.status).toBe(422)
    expect(response.body).toMatchObject({ field: "eventId", message: `eventId: ${missingIdReason}` })
    const onTopic = (await readTopic("buy").catch(() => [])).filter((m) => m.value.userId === "0e41cc11-5e54-448b-a6ce-9c9a855ad202")
    expect(onTopic).toEqual([])
  }, 30_000)

  test("with an Idempotency-Key the key is the event's id: a retry publishes the same id, which the consumers apply once", async () => {
    const first = await post("/events/buy", readmePurchase, { "idempotency-key": "checkout-77" })
    const retry = await post("/events/buy", readmePurchase, { "idempotency-key": "checkout-77" })
    expect([first.status, retry.status]).toEqual([202, 202])
    expect(first.body.eventIds).toEqual(["checkout-77"])
    expect(retry.body.eventIds).toEqual(["checkout-77"])
    const onTopic = (await readTopic("buy")).filter((m) => m.value.eventId === "checkout-77")
    expect(onTopic.map((m) => m.key)).toEqual(["meiwei:0e41cc11-5e54-448b-a6ce-9c9a855ad202", "meiwei:0e41cc11-5e54-448b-a6ce-9c9a855ad202"])
  }, 30_000)

  test("a purchase's orderId identifies it; an event's own eventId comes first; an array's events take the key with their position", async () => {
    const withOrder = await post("/events/buy", { tenant: "meiwei", product: "tea", amount: 3, userId: "ann", orderId: "order-1001" })
    expect(withOrder.body.eventIds).toEqual(["order-1001"])
    const events = ["a1", "a2", "a3"].map((user) => ({ tenant: "meiwei", product: "tea", amount: 2.5, userId: user }))
    const response = await post("/events/buy", [events[0], { ...events[1], eventId: "shop-event-2" }, { ...events[2], orderId: "order-3" }], { "idempotency-key": "batch-9" })
    expect(response.status).toBe(202)
    expect(response.body.eventIds).toEqual(["batch-9/0", "shop-event-2", "batch-9/2"])
    const onTopic = new Map((await readTopic("buy")).map((m) => [m.value.eventId, m]))
    expect(["batch-9/0", "shop-event-2", "batch-9/2"].map((id) => onTopic.get(id)?.key)).toEqual(["meiwei:a1", "meiwei:a2", "meiwei:a3"])
  }, 30_000)

  test("a tenant that accepts events without ids gets random ones; activities follow the same rules", async () => {
    const lenient = await post("/events/activity", [{ tenant: "lenient", userId: "ada", tag: "signup" }])
    expect(lenient.status).toBe(202)
    expect((lenient.body.eventIds as Array<string>)[0]).toMatch(uuid)
    const strict = await post("/events/activity", [{ tenant: "lenient", userId: "ada", tag: "signup" }, { tenant: "meiwei", userId: "bob", tag: "review" }])
    expect(strict.body).toMatchObject({ field: "[1].eventId" })
    const keyed = await post("/events/activity", { tenant: "meiwei", userId: "bob", tag: "review" }, { "idempotency-key": "act-9" })
    expect(keyed.body.eventIds).toEqual(["act-9"])
    const onTopic = (await readTopic("activity")).filter((m) => m.value.eventId === "act-9")
    expect(onTopic.map((m) => [m.key, m.value.tag])).toEqual([["meiwei:bob", "review"]])
  }, 30_000)

  test("ids in Loyaltea's reserved namespace are refused, in the body and in the header", async () => {
    const inBody = await post("/events/buy", { tenant: "meiwei", product: "tea", amount: 3, userId: "ann", eventId: "loyaltea:buy/0/7" })
    expect(inBody.status).toBe(422)
    expect(inBody.body).toMatchObject({ field: "eventId" })
    const inHeader = await post("/events/buy", readmePurchase, { "idempotency-key": "loyaltea:buy/0/8" })
    expect(inHeader.status).toBe(422)
    expect(String(inHeader.body.field)).toContain("idempotency-key")
  })

  test("an event for a tenant that does not exist is refused with 422 naming it; another tenant is 403 whether it exists or not", async () => {
    const good = { tenant: "meiwei", product: "bread", amount: 1, userId: "never-published-1", eventId: randomUUID() }
    const unknown = await post("/events/buy", [good, { ...good, tenant: "nosuchshop", eventId: randomUUID() }])
    expect(unknown.status).toBe(422)
    expect(unknown.body).toMatchObject({ field: "[1].tenant", message: "[1].tenant: no tenant nosuchshop" })
    const scope = oneTenant(tenant("meiwei"))
    const refusal = (other: string) =>
      runtime.runPromise(Effect.flatMap(Effect.service(EventIngestion), (i) =>
        i.publishBuys(scope, [{ ...good, tenant: tenant("meiwei"), userId: userId("never-published-2") }, { ...good, tenant: tenant(other), userId: userId("never-published-3") }])
      ).pipe(Effect.flip))
    const [existing, missing] = await Promise.all([refusal("other"), refusal("nosuchshop")])
    expect([existing._tag, missing._tag]).toEqual(["Forbidden", "Forbidden"])
    expect(existing.message.replace("other", "X")).toBe(missing.message.replace("nosuchshop", "X"))
    const users = [...(await readTopic("buy")), ...(await readTopic("activity"))].map((m) => String(m.value.userId))
    expect(users.filter((user) => user.startsWith("never-published"))).toEqual([])
  }, 30_000)

  test("an array with one invalid event is refused with 422 naming it", async () => {
    const good = { tenant: "meiwei", product: "bread", amount: 1, userId: "never-published-4", eventId: randomUUID() }
    const bad = await post("/events/buy", [good, { ...good, userId: "never-published-5", amount: -1 }])
    expect(bad.status).toBe(422)
    expect(bad.body).toMatchObject({ error: "ValidationError", field: "[1].amount" })
    expect((await post("/events/buy", [])).status).toBe(422)
    expect((await post("/events/buy", Array.from({ length: 1001 }, () => good))).status).toBe(422)
  })

  test("when Kafka does not take the events the answer is 503, not 202", async () => {
    const down = Layer.succeed(EventProducer, { send: () => Effect.fail(new KafkaUnavailable({ reason: "no broker" })) })
    const downRuntime = useCasesRuntime(database.url, routesOver(client, down))
    try {
      const downApp = await appOver(downRuntime, "fulfillment", fulfillmentService.routes)
      const response = await request(downApp, "POST", "/events/buy", readmePurchase, { "idempotency-key": "k-503" })
      expect(response.status).toBe(503)
      expect(await response.json()).toMatchObject({ error: "Unavailable" })
    } finally {
      await downRuntime.dispose()
    }
  })
})
