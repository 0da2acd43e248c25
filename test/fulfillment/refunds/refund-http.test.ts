import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import { Effect, Layer } from "effect"
import type { AnyElysia } from "elysia"
import { Kafka, logLevel } from "kafkajs"
import { buyHandler, } from "../../../src/actors/fulfillment/actor.ts"
import { fulfillmentService } from "../../../src/actors/fulfillment/definition.ts"
import type { EventIngestion } from "../../../src/actors/fulfillment/ingestion.ts"
import type { PurchaseImports } from "../../../src/actors/fulfillment/imports/service.ts"
import { refundHandler } from "../../../src/actors/fulfillment/refunds/handler.ts"
import { RulesIndex } from "../../../src/actors/fulfillment/rules-index.ts"
import { RuleStarts } from "../../../src/actors/fulfillment/derive/rule-starts.ts"
import type { FulfillmentUseCases } from "../../../src/actors/fulfillment/service.ts"
import { Database } from "../../../src/db/database.ts"
import { processBatch } from "../../../src/kafka/batch-processor.ts"
import { type Broker, silentLog, startBroker } from "../../../src/kafka/broker/index.ts"
import { KafkaClient } from "../../../src/kafka/kafka-client.ts"
import { EventProducerLive } from "../../../src/kafka/producer.ts"
import type { TenantDirectory } from "../../../src/tenants/directory.ts"
import { appOver, request } from "../../support/app.ts"
import { useCasesRuntime } from "../../support/layers.ts"
import { rawMessages } from "../../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../../support/postgres.ts"
import { registerTenants } from "../../support/tenants.ts"

describe("POST /events/refund", () => {
  let database: TestDatabase
  let broker: Broker
  let kafka: Kafka
  let runtime: ReturnType<typeof useCasesRuntime<FulfillmentUseCases | EventIngestion | PurchaseImports | TenantDirectory | RulesIndex | RuleStarts | RuleStarts>>
  let app: AnyElysia

  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await request(app, "POST", "/events/refund", body, headers)
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  /** Everything on topic `refund` for `userId`, read back with kafkajs. */
  const published = async (userId: string) => {
    const admin = kafka.admin()
    await admin.connect()
    const ends = await admin.fetchTopicOffsets("refund")
    await admin.disconnect()
    const total = ends.reduce((n, end) => n + Number(end.high), 0)
    const seen: Array<Record<string, unknown>> = []
    const consumer = kafka.consumer({ groupId: `read-back-${randomUUID()}`, maxWaitTimeInMs: 100 })
    await consumer.connect()
    await consumer.subscribe({ topics: ["refund"], fromBeginning: true })
    const done = Promise.withResolvers<void>()
    let count = 0
    await consumer.run({ eachMessage: async ({ message }) => {
      seen.push(JSON.parse(String(message.value)))
      if (++count >= total) done.resolve()
    } })
    if (total === 0) done.resolve()
    await done.promise
    await consumer.disconnect()
    return seen.filter((event) => event.userId === userId)
  }
  const refund = (fields: Record<string, unknown>) => ({ tenant: "meiwei", userId: "ada", orderId: "order-1", ...fields })

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBroker({ port: 0, defaultPartitions: 1, log: silentLog })
    kafka = new Kafka({ clientId: "refund-http-test", brokers: [broker.address], logLevel: logLevel.NOTHING })
    const client = Layer.succeed(KafkaClient, { kafka, brokers: [broker.address], mode: "embedded", target: broker.address })
    runtime = useCasesRuntime(database.url, Layer.mergeAll(fulfillmentService.useCases.pipe(Layer.provide(EventProducerLive.pipe(Layer.provideMerge(client)))), RulesIndex.layer, RuleStarts.layer))
    app = await appOver(runtime, "fulfillment", fulfillmentService.routes)
    await runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => Effect.promise(() => registerTenants(db.sql, ["meiwei"]))))
    // Order 1 bought 150 by ada.
    await runtime.runPromise(processBatch("fulfillment", buyHandler, rawMessages("buy", [
      { tenant: "meiwei", userId: "ada", product: "bread", amount: 150, eventId: "buy-1", orderId: "order-1" }
    ])))
  })
  afterAll(async () => {
    await runtime.dispose()
    await broker.close()
    await database.drop()
  })

  test("a partial refund needs an eventId or an Idempotency-Key; a whole-order refund is identified by its order id", async () => {
    const bare = await post(refund({ amount: 10 }))
    expect(bare.status).toBe(422)
    expect(bare.body).toMatchObject({ field: "eventId" })
    expect(await post(refund({ amount: 10 }), { "idempotency-key": "return-9" })).toEqual({ status: 202, body: { eventIds: ["return-9"] } })
    expect(await post(refund({ userId: "bob", orderId: "order-7" }))).toEqual({ status: 202, body: { eventIds: ["order-7"] } })
    expect(await published("bob")).toEqual([{ tenant: "meiwei", userId: "bob", orderId: "order-7", eventId: "order-7" }])
  }, 30_000)

  test("more than is left of an order already bought is refused at once with 422 naming amount, counting the request's own refunds", async () => {
    const over = await post(refund({ amount: 150.01, eventId: "r-over" }))
    expect(over.status).toBe(422)
    expect(over.body).toMatchObject({ field: "amount", message: "amount: refunds 150.01 of order order-1, but only 150 of the 150 bought is left to refund" })
    const twice = await post([refund({ amount: 100, eventId: "r-a" }), refund({ amount: 60, eventId: "r-b" })])
    expect(twice.status).toBe(422)
    expect(twice.body).toMatchObject({ field: "[1].amount" })
    const otherUser = await post(refund({ userId: "eve", amount: 1, eventId: "r-eve" }))
    expect(otherUser.body).toMatchObject({ field: "userId" })
    expect((await published("eve")).length + (await published("ada")).filter((e) => String(e.eventId).startsWith("r-")).length).toBe(0)
  }, 30_000)

  test("a retry of a refund already applied is accepted again (the consumer drops it), not refused as a second refund", async () => {
    const whole = refund({ eventId: "r-all" })
    expect((await post(whole)).status).toBe(202)
    await runtime.runPromise(processBatch("fulfillment", refundHandler, rawMessages("refund", [whole])))
    expect((await post(whole)).status).toBe(202)
    expect((await post(refund({ eventId: "r-more" }))).body).toMatchObject({ field: "orderId", message: expect.stringContaining("nothing is left to refund: all 150 bought is refunded already") })
  }, 30_000)

  test("a refund amount of 0 or less is refused naming amount", async () => {
    const zero = await post(refund({ amount: 0, eventId: "r-0" }))
    expect(zero.status).toBe(422)
    expect(zero.body).toMatchObject({ field: "amount" })
  })

  test("GET /held-refunds counts the refunds waiting for their purchase, per tenant, until it comes", async () => {
    await runtime.runPromise(processBatch("fulfillment", refundHandler, rawMessages("refund", [refund({ orderId: "order-late", eventId: "r-late" })], { firstOffset: 10 })))
    const held = await request(app, "GET", "/held-refunds?tenant=meiwei")
    expect(held.status).toBe(200)
    expect(await held.json()).toEqual({ tenants: [{ tenant: "meiwei", held: 1, oldest: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) }] })
    await runtime.runPromise(processBatch("fulfillment", buyHandler, rawMessages("buy", [
      { tenant: "meiwei", userId: "ada", product: "bread", amount: 20, eventId: "buy-late", orderId: "order-late" }
    ], { firstOffset: 10 })))
    expect(await (await request(app, "GET", "/held-refunds")).json()).toEqual({ tenants: [] })
  })
})
