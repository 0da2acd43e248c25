import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import { Effect, Layer } from "effect"
import type { AnyElysia } from "elysia"
import { Kafka, logLevel } from "kafkajs"
import { fulfillmentService } from "../../src/actors/fulfillment/definition.ts"
import { EventIngestion } from "../../src/actors/fulfillment/ingestion.ts"
import { FulfillmentUseCases } from "../../src/actors/fulfillment/service.ts"
import { oneTenant } from "../../src/domain/tenant-scope.ts"
import { type Broker, silentLog, startBroker } from "../../src/kafka/broker/index.ts"
import { KafkaClient, KafkaUnavailable } from "../../src/kafka/kafka-client.ts"
import { EventProducer, EventProducerLive } from "../../src/kafka/producer.ts"
import { appOver, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { tenant, userId } from "../support/values.ts"

const readmePurchase = `{"tenant": "meiwei", "product": "bread", "amount": 101, "userId": "0e41cc11-5e54-448b-a6ce-9c9a855ad202"}`
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

interface Published {
  readonly key: string
  readonly value: Record<string, unknown>
}

const routesOver = (producer: Layer.Layer<EventProducer, unknown>) =>
  Layer.mergeAll(FulfillmentUseCases.layer, EventIngestion.layer).pipe(Layer.provide(producer))

describe("event ingestion over HTTP, onto the embedded broker", () => {
  let database: TestDatabase
  let broker: Broker
  let kafka: Kafka
  let runtime: ReturnType<typeof useCasesRuntime<FulfillmentUseCases | EventIngestion>>
  let app: AnyElysia

  const post = async (path: string, body: unknown) => {
    const response = await request(app, "POST", path, body)
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
    const client = Layer.succeed(KafkaClient, { kafka, brokers: [broker.address], mode: "embedded", target: broker.address })
    runtime = useCasesRuntime(database.url, routesOver(EventProducerLive.pipe(Layer.provide(client))))
    app = await appOver(runtime, "fulfillment", fulfillmentService.routes)
  })
  afterAll(async () => {
    await runtime.dispose()
    await broker.close()
    await database.drop()
  })

  test("the README purchase is accepted verbatim: 202, a generated id, on topic buy keyed by tenant and user", async () => {
    const response = await post("/events/buy", readmePurchase)
    expect(response.status).toBe(202)
    const [id] = response.body.eventIds as Array<string>
    expect(id).toMatch(uuid)
    const onTopic = (await readTopic("buy")).filter((m) => m.value.eventId === id)
    expect(onTopic).toEqual([{
      key: "meiwei:0e41cc11-5e54-448b-a6ce-9c9a855ad202",
      value: { tenant: "meiwei", product: "bread", amount: 101, userId: "0e41cc11-5e54-448b-a6ce-9c9a855ad202", eventId: id }
    }])
  }, 30_000)

  test("an array is published whole, in order; an event's own id is kept", async () => {
    const events = ["a1", "a2", "a3"].map((user) => ({ tenant: "meiwei", product: "tea", amount: 2.5, userId: user }))
    const response = await post("/events/buy", [events[0], { ...events[1], eventId: "shop-order-2" }, events[2]])
    expect(response.status).toBe(202)
    const ids = response.body.eventIds as Array<string>
    expect(ids[1]).toBe("shop-order-2")
    expect(ids.filter((id) => uuid.test(id))).toHaveLength(2)
    const onTopic = new Map((await readTopic("buy")).map((m) => [m.value.eventId, m]))
    expect(ids.map((id) => onTopic.get(id)?.key)).toEqual(["meiwei:a1", "meiwei:a2", "meiwei:a3"])
  }, 30_000)

  test("activities go to topic activity", async () => {
    const response = await post("/events/activity", [{ tenant: "meiwei", userId: "ada", tag: "signup" }, { tenant: "other", userId: "bob", tag: "review", eventId: "act-9" }])
    expect(response.status).toBe(202)
    const ids = response.body.eventIds as Array<string>
    const onTopic = (await readTopic("activity")).filter((m) => ids.includes(m.value.eventId as string))
    expect(onTopic.map((m) => [m.key, m.value.tag]).sort()).toEqual([["meiwei:ada", "signup"], ["other:bob", "review"]])
  }, 30_000)

  test("an array with one invalid event is refused with 422 naming it, and none of its events is published", async () => {
    const good = { tenant: "meiwei", product: "bread", amount: 1, userId: "never-published-1" }
    const bad = await post("/events/buy", [good, { ...good, userId: "never-published-2", amount: -1 }])
    expect(bad.status).toBe(422)
    expect(bad.body).toMatchObject({ error: "ValidationError", field: "[1].amount" })
    const badActivity = await post("/events/activity", [{ tenant: "meiwei", userId: "never-published-3", tag: "signup" }, { tenant: "meiwei", userId: "x" }])
    expect(badActivity.body).toMatchObject({ field: "[1].tag" })
    expect((await post("/events/buy", [])).status).toBe(422)
    expect((await post("/events/buy", Array.from({ length: 1001 }, () => good))).status).toBe(422)
    const outsideScope = await runtime.runPromise(Effect.flatMap(Effect.service(EventIngestion), (i) =>
      i.publishBuys(oneTenant(tenant("meiwei")), [{ ...good, tenant: tenant("meiwei"), userId: userId("never-published-4") }, { ...good, tenant: tenant("other"), userId: userId("never-published-5") }])
    ).pipe(Effect.flip))
    expect(outsideScope._tag).toBe("Forbidden")
    const users = [...(await readTopic("buy")), ...(await readTopic("activity"))].map((m) => String(m.value.userId))
    expect(users.filter((user) => user.startsWith("never-published"))).toEqual([])
    expect(users.length).toBeGreaterThan(0)
  }, 30_000)

  test("when Kafka does not take the events the answer is 503, not 202", async () => {
    const down = Layer.succeed(EventProducer, { send: () => Effect.fail(new KafkaUnavailable({ reason: "no broker" })) })
    const downRuntime = useCasesRuntime(database.url, routesOver(down))
    try {
      const downApp = await appOver(downRuntime, "fulfillment", fulfillmentService.routes)
      const response = await request(downApp, "POST", "/events/buy", readmePurchase)
      expect(response.status).toBe(503)
      expect(await response.json()).toMatchObject({ error: "Unavailable" })
    } finally {
      await downRuntime.dispose()
    }
  })
})
