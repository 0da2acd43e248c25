/**
 * bun run bench:scale-out [--events 50000] [--users 10000] [--partitions 4] [--copies 2]
 *
 * Scale-out, measured side by side in one run: the four services split over processes against one
 * standalone broker (`bun run broker`) and one PostgreSQL, first one process of each service, then
 * `--copies` processes of each (the copies join the same consumer groups and share the
 * partitions). Each shape gets a fresh broker and database and the same purchases; the clock
 * stops when every expected point is in the balances. Prints both rates and their ratio.
 */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Kafka, logLevel, Partitioners } from "kafkajs"
import postgres from "postgres"
import { apiServiceNames } from "../src/config/service-name.ts"
import { startBrokerProcess } from "../test/support/broker-process.ts"
import { freePort } from "../test/support/ports.ts"
import { createTestDatabase } from "../test/support/postgres.ts"
import { type BenchProcess, startLoyaltea } from "./flow/process.ts"
import { benchAdmin, benchTenant, createCampaigns, pointsPerPurchase, signOut } from "./flow/setup.ts"
import { fmt } from "./flow/stats.ts"

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "50000" },
    users: { type: "string", default: "10000" },
    partitions: { type: "string", default: "4" },
    copies: { type: "string", default: "2" }
  }
})
const events = Number(values.events)
const users = Number(values.users)

const purchases = Array.from({ length: events }, (_, i) => {
  const user = `u${i % users}`
  return { key: `${benchTenant}:${user}`, value: JSON.stringify({ tenant: benchTenant, product: "bread", amount: 100 + (i % 50), userId: user, eventId: `${user}-${i}` }) }
})

/** Starts `copies` processes of each service on one broker and database; answers the first copies' ports. */
const startShape = async (copies: number, brokers: string, databaseUrl: string) => {
  const first = { campaign: 0, reward: 0, fulfillment: 0, user: 0 }
  for (const service of apiServiceNames) first[service] = await freePort()
  const processes: Array<BenchProcess> = []
  const common = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PARTITIONS: values.partitions!,
    DATABASE_POOL_SIZE: "6",
    HTTP_HOST: "127.0.0.1",
    LOYALTEA_USER_SERVICE_URL: `http://127.0.0.1:${first.user}/`,
    LOYALTEA_CAMPAIGN_SERVICE_URL: `http://127.0.0.1:${first.campaign}/`,
    LOYALTEA_FULFILLMENT_SERVICE_URL: `http://127.0.0.1:${first.fulfillment}/`,
    LOYALTEA_ADMIN_USERNAME: benchAdmin.username,
    LOYALTEA_ADMIN_PASSWORD: benchAdmin.password
  }
  const portEnv: Record<(typeof apiServiceNames)[number], string> = { campaign: "CAMPAIGN_PORT", reward: "REWARD_PORT", fulfillment: "FULFILLMENT_PORT", user: "USER_PORT" }
  // The user service first: the others check credentials with it.
  const order = ["user", ...apiServiceNames.filter((s) => s !== "user")] as const
  for (let copy = 0; copy < copies; copy++) {
    for (const service of order) {
      const port = copy === 0 ? first[service] : await freePort()
      processes.push(await startLoyaltea({ ...common, LOYALTEA_SERVICES: service, [portEnv[service]]: String(port), LOYALTEA_DATA_DIR: mkdtempSync(join(tmpdir(), "loyaltea-scale-")) }))
    }
  }
  return { ports: first, processes }
}

const runShape = async (copies: number) => {
  const database = await createTestDatabase("loyaltea_scale")
  const broker = await startBrokerProcess({ partitions: Number(values.partitions) })
  const shape = await startShape(copies, broker.address, database.url)
  const sql = postgres(database.url, { max: 2, onnotice: () => {} })
  const kafka = new Kafka({ clientId: "bench-scale", brokers: [broker.address], logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  try {
    signOut()
    await createCampaigns(shape.ports)
    await producer.connect()
    // The copies must have joined their groups before the clock starts: a warm-up purchase each way.
    await producer.send({ topic: "buy", acks: -1, messages: [{ key: `${benchTenant}:warm`, value: JSON.stringify({ tenant: benchTenant, product: "bread", amount: 100, userId: "warm", eventId: "warm-0" }) }] })
    const credited = async () => Number((await sql`select coalesce(sum(points), 0)::text as s from reward.balances where tenant = ${benchTenant}`)[0]!.s)
    const waitFor = async (points: number) => {
      const deadline = Date.now() + 600_000
      while ((await credited()) < points) {
        if (Date.now() > deadline) throw new Error(`only ${await credited()} of ${points} points`)
        await Bun.sleep(20)
      }
    }
    await waitFor(pointsPerPurchase)
    const started = performance.now()
    let next = 0
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next * 1000 < purchases.length) {
        const batch = purchases.slice(next * 1000, ++next * 1000)
        await producer.send({ topic: "buy", acks: -1, messages: batch })
      }
    }))
    await waitFor(pointsPerPurchase * (events + 1))
    const seconds = (performance.now() - started) / 1000
    const rate = events / seconds
    console.log(`${String(copies).padStart(2)} process(es) per service (${shape.processes.length} processes): ${fmt(rate, 0)} purchases/s end to end (${fmt(seconds, 2)} s)`)
    return rate
  } finally {
    await producer.disconnect().catch(() => {})
    await sql.end()
    await Promise.all(shape.processes.map((p) => p.stop()))
    await broker.stop()
    await database.drop()
  }
}

console.log(`machine: ${navigator.hardwareConcurrency} cores; ${events} purchases over ${users} users, ${values.partitions} partitions per topic, standalone broker, one PostgreSQL`)
const one = await runShape(1)
const many = await runShape(Number(values.copies))
console.log(`scale-out: ${values.copies} processes of each service against 1 of each: ${fmt(many / one, 2)}×`)
