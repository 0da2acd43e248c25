import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer, ManagedRuntime, Option, Redacted, Scope } from "effect"
import { Kafka, logLevel } from "kafkajs"
import { creditHandler } from "../../src/actors/reward/actor.ts"
import { RewardUseCases } from "../../src/actors/reward/service.ts"
import { Database } from "../../src/db/database.ts"
import { allTenants } from "../../src/domain/tenant-scope.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import { type Broker, silentLog, startBroker } from "../../src/kafka/broker/index.ts"
import { startOutboxRelay } from "../../src/kafka/outbox-relay.ts"
import { appendOutbox } from "../../src/kafka/outbox.ts"
import { publishCommitted } from "../../src/kafka/publish-committed.ts"
import { KafkaClient } from "../../src/kafka/kafka-client.ts"
import { EventProducer, EventProducerLive } from "../../src/kafka/producer.ts"
import { AppConfig } from "../../src/config/app-config.ts"
import { DatabaseLive } from "../../src/db/pool.ts"
import { eventually, readTopic } from "../support/flow.ts"
import { testConfig, useCasesRuntime } from "../support/layers.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { rawMessages } from "../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { tenant } from "../support/values.ts"
import { rewardService } from "../../src/actors/reward/definition.ts"

const reward = "66666666-6666-4666-8666-666666666666"

describe("the outbox relay behind publish-after-commit", () => {
  let database: TestDatabase
  let broker: Broker
  let runtime: ReturnType<typeof useCasesRuntime<any>>

  beforeAll(async () => {
    database = await createTestDatabase()
    broker = await startBroker({ port: 0, log: silentLog })
    const kafka = new Kafka({ clientId: "relay-test", brokers: [broker.address], logLevel: logLevel.NOTHING })
    const client = Layer.succeed(KafkaClient, { kafka, brokers: [broker.address], mode: "embedded", target: broker.address })
    runtime = useCasesRuntime(database.url, Layer.merge(rewardService.useCases, EventProducerLive.pipe(Layer.provide(client))) as never)
    await registerTenantsIn(runtime, ["shop"])
    await runtime.runPromise(Effect.flatMap(Effect.service(RewardUseCases), (u) => u.createReward(allTenants, { tenant: tenant("shop"), reward_id: reward, reward_points: 3 })))
  })
  afterAll(async () => {
    await runtime?.dispose()
    await broker?.close()
    await database?.drop()
  })

  test("events committed but never published (the process died in between) are published from the database, once", async () => {
    // A batch applied and committed; its publication never happened.
    const events = ["a", "b", "c"].map((id) => ({ tenant: "shop", rewardId: reward, userId: `u-${id}`, eventId: `crash-${id}`, campaignId: reward }))
    const outcome = await runtime.runPromise(processBatch("reward", creditHandler, rawMessages("reward", events)))
    expect(outcome.emitted).toHaveLength(3)
    const unpublished = () =>
      runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) =>
        db.run((sql) => sql<Array<{ n: number }>>`select count(*)::int as n from reward.outbox`))).then((rows) => rows[0]!.n)
    expect(await unpublished()).toBe(1)

    const scope = await runtime.runPromise(Scope.make())
    await runtime.runPromise(startOutboxRelay("reward", 0).pipe(Scope.provide(scope)) as unknown as Effect.Effect<void, never, never>)
    expect(await eventually(unpublished, (n) => n === 0, 15_000)).toBe(0)
    await runtime.runPromise(Scope.close(scope, Effect.void as never))

    const notes = (await readTopic(broker.address, "reward-notify", 3)).map((m) => JSON.parse(m.value))
    expect(notes.map((n) => n.userId).sort()).toEqual(["u-a", "u-b", "u-c"])
    // Redelivered now, the events are processed already and have nothing left to publish.
    const again = await runtime.runPromise(processBatch("reward", creditHandler, rawMessages("reward", events, { firstOffset: 10 })))
    expect(again).toMatchObject({ applied: 0, duplicates: 3, emitted: [] })
  }, 30_000)

  test("a relay facing a broker that never answers holds no connection: with one connection for transactions (the embedded database has one for all) others are served, and another relay leaves its rows alone", async () => {
    const config = testConfig({ databaseUrl: Option.some(Redacted.make(database.url)), database: { ...testConfig().database, poolSize: 1 } })
    const sent: Array<number> = []
    let hanging = true
    const producer = Layer.succeed(EventProducer, {
      send: (messages) => (hanging ? Effect.never : Effect.sync(() => void sent.push(messages.length)))
    })
    const single = ManagedRuntime.make(producer.pipe(Layer.provideMerge(DatabaseLive), Layer.provideMerge(Layer.succeed(AppConfig, config))))
    const scopes: Array<Scope.Closeable> = []
    try {
      const db = await single.runPromise(Effect.service(Database))
      await single.runPromise(db.run((sql) => sql`delete from reward.outbox`))
      await single.runPromise(db.run((sql) => sql`insert into reward.outbox (messages) values (${JSON.stringify([{ topic: "reward-notify", key: "k", value: "{}" }])})`))
      const relay = async () => {
        const scope = await single.runPromise(Scope.make())
        scopes.push(scope)
        await single.runPromise(startOutboxRelay("reward", 0).pipe(Scope.provide(scope)) as unknown as Effect.Effect<void, never, never>)
      }
      await relay()
      const leased = () => single.runPromise(db.run(async (sql) => [...await sql<Array<{ leased: boolean }>>`select leased_until > now() as leased from reward.outbox`]))
      expect(await eventually(leased, (rows) => rows[0]?.leased === true, 5_000)).toEqual([{ leased: true }])
      // The first relay is stuck in its send; the only connection for transactions must still be free.
      const answer = await single.runPromise(db.transaction((tx) => Effect.promise(() => tx`select 1 as one`)).pipe(Effect.timeout("2 seconds"), Effect.option))
      expect(answer._tag).toBe("Some")
      hanging = false
      await relay()
      await Bun.sleep(2500)
      expect(sent).toEqual([])
      expect((await leased()).length).toBe(1)
    } finally {
      for (const scope of scopes) await single.runPromise(Scope.close(scope, Effect.void as never))
      await single.dispose()
    }
  }, 30_000)

  test("a change committed just behind one a consumer has published, its row not yet deleted, is published at once and in order", async () => {
    const published: Array<string> = []
    const producer = Layer.succeed(EventProducer, { send: (messages) => Effect.sync(() => void published.push(...messages.map((m) => m.value))) })
    const ordered = ManagedRuntime.make(producer.pipe(Layer.provideMerge(DatabaseLive), Layer.provideMerge(Layer.succeed(AppConfig, testConfig({ databaseUrl: Option.some(Redacted.make(database.url)) })))))
    try {
      const db = await ordered.runPromise(Effect.service(Database))
      const sends = await ordered.runPromise(Effect.service(EventProducer))
      await ordered.runPromise(db.run((sql) => sql`delete from users.outbox`))
      const message = (version: number) => ({ topic: "tenant", key: "shop", value: `v${version}` })
      const first = await ordered.runPromise(db.transaction((tx) => appendOutbox(tx, "users", [message(1)])))
      published.push("v1")
      const second = await ordered.runPromise(db.transaction((tx) => appendOutbox(tx, "users", [message(2)])))
      // The consumer that published v1 deletes its row in the background, a moment later.
      setTimeout(() => void ordered.runPromise(db.run((sql) => sql`delete from users.outbox where id = ${first!}::bigint`)), 250)
      await ordered.runPromise(publishCommitted(db, sends, "users", second, [message(2)]))
      // Not left to the relay (seconds later, behind whatever the consumer publishes next): out now.
      expect(published).toEqual(["v1", "v2"])
      expect(await ordered.runPromise(db.run((sql) => sql`select id from users.outbox`))).toHaveLength(0)
    } finally {
      await ordered.dispose()
    }
  }, 30_000)

  test("a change committed while an older one still waits in the outbox waits behind it: the relay publishes both in the order written", async () => {
    const published: Array<string> = []
    const producer = Layer.succeed(EventProducer, { send: (messages) => Effect.sync(() => void published.push(...messages.map((m) => m.value))) })
    const ordered = ManagedRuntime.make(producer.pipe(Layer.provideMerge(DatabaseLive), Layer.provideMerge(Layer.succeed(AppConfig, testConfig({ databaseUrl: Option.some(Redacted.make(database.url)) })))))
    try {
      const db = await ordered.runPromise(Effect.service(Database))
      const sends = await ordered.runPromise(Effect.service(EventProducer))
      await ordered.runPromise(db.run((sql) => sql`delete from users.outbox`))
      const message = (version: number) => ({ topic: "tenant", key: "shop", value: `v${version}` })
      // v1's publication failed: its row is left. v2 commits after it.
      await ordered.runPromise(db.transaction((tx) => appendOutbox(tx, "users", [message(1)])))
      const second = await ordered.runPromise(db.transaction((tx) => appendOutbox(tx, "users", [message(2)])))
      await ordered.runPromise(publishCommitted(db, sends, "users", second, [message(2)]))
      expect(published).toEqual([])
      const scope = await ordered.runPromise(Scope.make())
      await ordered.runPromise(startOutboxRelay("users", 0).pipe(Scope.provide(scope)) as unknown as Effect.Effect<void, never, never>)
      expect(await eventually(async () => published, (p) => p.length === 2, 10_000)).toEqual(["v1", "v2"])
      await ordered.runPromise(Scope.close(scope, Effect.void as never))
    } finally {
      await ordered.dispose()
    }
  }, 30_000)
})
