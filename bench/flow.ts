/**
 * bun run bench:flow [--events 100000] [--users 10000] [--rate 2000 | --rate 250,500,1000,2000] [--latency-seconds 20] [--soak-seconds 0] [--rules true] [--mixed true]
 *
 * The all-in-one process (four services, embedded broker) on a real local PostgreSQL. Buy events
 * are produced with kafkajs from this process; the clock stops when every expected point is in
 * the balances. Prints end-to-end events/s of the plain scenario and, in the same run, of the same
 * load under the rule language (per-amount points, a window, per-user limits per month in a time
 * zone, a cumulative goal), with their ratio; then a mixed load (purchases, 10% of them refunded
 * in full, redemptions over HTTP, points expiring while the lifecycle job runs), with its ratio;
 * produce-to-credit latency at a fixed rate; peak RSS.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Kafka, logLevel, Partitioners } from "kafkajs"
import postgres from "postgres"
import { freePorts, portsEnv } from "../test/support/process.ts"
import { startBrokerProcess } from "../test/support/broker-process.ts"
import { createTestDatabase } from "../test/support/postgres.ts"
import { startLoyaltea } from "./flow/process.ts"
import { createRulesCampaigns, rulesPoints, rulesTenant } from "./flow/rules-setup.ts"
import { fundRedeemers, mixedRun, mixedState, redeemAll, setUpMixed } from "./flow/mixed.ts"
import { benchAdmin, benchTenant, createCampaigns, pointsPerPurchase } from "./flow/setup.ts"
import { allLoyalteaGroups, groupsCaughtUp } from "../test/support/flow.ts"
import { fmt, percentile } from "./flow/stats.ts"

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "100000" },
    users: { type: "string", default: "10000" },
    rate: { type: "string", default: "2000" },
    "latency-seconds": { type: "string", default: "20" },
    "soak-seconds": { type: "string", default: "0" },
    partitions: { type: "string", default: "3" },
    /** `false`: only the plain scenario (for profiles comparable with older commits). */
    rules: { type: "string", default: "true" },
    /** `false`: leave out the mixed scenario (refunds, redemptions, expiry). */
    mixed: { type: "string", default: "true" },
    /** `embedded` (in the process, the default shape) or `process` (`bun run broker` beside it, as Kafka would be). */
    broker: { type: "string", default: "embedded" }
  }
})
const events = Number(values.events)
const users = Number(values.users)
// One rate or a rising list (`--rate 250,500,1000,2000`): p99 at each, and where it crosses 100 ms.
const rates = values.rate!.split(",").map(Number)
const latencySeconds = Number(values["latency-seconds"])
const soakSeconds = Number(values["soak-seconds"])

const database = await createTestDatabase("loyaltea_bench")
const ports = await freePorts()
const dataDir = mkdtempSync(join(tmpdir(), "loyaltea-bench-"))
const standalone = values.broker === "process" ? await startBrokerProcess({ port: ports.broker, dataDir: join(dataDir, "kafka"), partitions: Number(values.partitions) }) : undefined
const lt = await startLoyaltea({
  DATABASE_URL: database.url,
  LOYALTEA_DATA_DIR: dataDir,
  ...portsEnv(ports),
  ...(standalone ? { KAFKA_BROKERS: standalone.address } : {}),
  KAFKA_TOPIC_PARTITIONS: values.partitions!,
  DATABASE_POOL_SIZE: "12",
  // The lifecycle job (activation, expiry, tiers) runs every second, as it would under load.
  LOYALTEA_LIFECYCLE_JOB_MS: "1000",
  LOYALTEA_ADMIN_USERNAME: benchAdmin.username,
  LOYALTEA_ADMIN_PASSWORD: benchAdmin.password
})
let peakRss = lt.rss()
const sampler = setInterval(() => (peakRss = Math.max(peakRss, lt.rss())), 250)
const sql = postgres(database.url, { max: 2, onnotice: () => {} })
const kafka = new Kafka({ clientId: "bench", brokers: [`127.0.0.1:${ports.broker}`], logLevel: logLevel.NOTHING })
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
await producer.connect()

const credited = async (tenant = benchTenant) => Number((await sql`select coalesce(sum(points), 0)::text as s from reward.balances where tenant = ${tenant}`)[0]!.s)
const waitFor = async (points: number, timeoutMs: number, tenant = benchTenant) => {
  const deadline = Date.now() + timeoutMs
  while ((await credited(tenant)) < points) {
    if (Date.now() > deadline) throw new Error(`only ${await credited(tenant)} of ${points} points of ${tenant} after ${timeoutMs} ms`)
    await Bun.sleep(20)
  }
}
const purchase = (user: string, i: number) => ({
  key: `${benchTenant}:${user}`,
  value: JSON.stringify({ tenant: benchTenant, product: "bread", amount: 100 + (i % 50), userId: user, eventId: `${user}-${i}` })
})

try {
  await createCampaigns(ports)
  await createRulesCampaigns(ports)
  await setUpMixed(ports)
  console.log(`machine: ${navigator.hardwareConcurrency} cores; ${events} events over ${users} users, ${values.partitions} partitions per topic, broker ${standalone ? "in its own process" : "embedded in the process"}`)

  /**
   * Throughput: everything produced as fast as kafkajs sends it; the clock runs until the last
   * point of the run lands. `events(i)` is the run's i-th purchase; `points` what the run earns.
   */
  const throughput = async (label: string, tenant: string, events_: ReadonlyArray<{ key: string; value: string }>, points: number) => {
    const target = (await credited(tenant)) + points
    const started = performance.now()
    let next = 0
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next * 1000 < events_.length) {
        const batch = events_.slice(next * 1000, ++next * 1000)
        await producer.send({ topic: "buy", acks: -1, messages: batch })
      }
    }))
    const produced = performance.now()
    await waitFor(target, 600_000, tenant)
    const done = performance.now()
    const rate = events_.length / ((done - started) / 1000)
    console.log(`${label.padEnd(14)} produce ${fmt(events_.length / ((produced - started) / 1000), 0)} events/s; end to end ${fmt(rate, 0)} events/s (${fmt((done - started) / 1000, 2)} s for ${events_.length} events)`)
    return rate
  }
  const plainRun = (run: number) => Array.from({ length: events }, (_, i) => purchase(`u${i % users}`, run * events + i))
  const occurredAt = new Date().toISOString()
  const rulesRun = () => {
    const amounts: Array<number> = []
    const messages = Array.from({ length: events }, (_, i) => {
      const user = `r${i % users}`
      const amount = 100 + (i % 50)
      amounts.push(amount)
      return { key: `${rulesTenant}:${user}`, value: JSON.stringify({ tenant: rulesTenant, product: "bread", amount, userId: user, eventId: `rules-${user}-${i}`, occurredAt }) }
    })
    return { messages, points: rulesPoints(amounts) }
  }

  // Plain, then latency as the plain scenario's, then rules, then plain again: the two plain
  // runs bracket the rules run on the same process and database.
  const plainFirst = await throughput("plain", benchTenant, plainRun(0), events * pointsPerPurchase)
  // Latency at fixed rates: each event for a fresh user, so its ledger entries time its credit.
  let latencyEvents = 0
  const p99s: Array<{ rate: number; p99: number }> = []
  // Each rate starts on a process that has caught up with everything before it (every consumer
  // group at the end of its topics): a backlog left by the throughput runs (webhook feeds, the
  // outbox) would be timed as latency otherwise.
  const caughtUp = async () => {
    const deadline = Date.now() + 300_000
    while (!(await groupsCaughtUp(`127.0.0.1:${ports.broker}`, allLoyalteaGroups)) && Date.now() < deadline) await Bun.sleep(200)
  }
  for (const rate of rates) {
    await caughtUp()
    const sentAt = new Map<string, number>()
    const perTick = Math.max(1, Math.round(rate / 100))
    const tickStart = Date.now()
    for (let tick = 0; tick < latencySeconds * 100; tick++) {
      const messages = Array.from({ length: perTick }, (_, j) => {
        const user = `lat-${rate}-${tick}-${j}`
        sentAt.set(user, Date.now())
        return purchase(user, 0)
      })
      await producer.send({ topic: "buy", acks: -1, messages })
      const wait = tickStart + (tick + 1) * 10 - Date.now()
      if (wait > 0) await Bun.sleep(wait)
    }
    latencyEvents += sentAt.size
    await waitFor((events + latencyEvents) * pointsPerPurchase, 300_000)
    const rows = await sql<Array<{ user_id: string; at: number }>>`
      select user_id, extract(epoch from created_at) * 1000 as at from reward.ledger where tenant = ${benchTenant} and user_id like ${`lat-${rate}-%`}`
    const latencies = rows.map((row) => Number(row.at) - sentAt.get(row.user_id)!).sort((a, b) => a - b)
    p99s.push({ rate, p99: percentile(latencies, 99) })
    console.log(`latency at ${rate} events/s for ${latencySeconds} s (${latencies.length} credits): p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms, max ${fmt(latencies.at(-1)!)} ms`)
  }
  if (rates.length > 1) {
    const crossed = p99s.find((r) => r.p99 > 100)
    console.log(crossed === undefined ? `p99 stayed under 100 ms up to ${rates.at(-1)} events/s` : `p99 crosses 100 ms between ${p99s[p99s.indexOf(crossed) - 1]?.rate ?? 0} and ${crossed.rate} events/s`)
  }

  let plain = plainFirst
  if (values.rules !== "false") {
    const rules = rulesRun()
    const underRules = await throughput("rules", rulesTenant, rules.messages, rules.points)
    const plainAgain = await throughput("plain again", benchTenant, plainRun(1), events * pointsPerPurchase)
    plain = (plainFirst + plainAgain) / 2
    console.log(`rules vs plain: ${fmt((underRules / plain) * 100, 1)}% of the plain throughput (${fmt((1 - underRules / plain) * 100, 1)}% cost)`)
  }

  if (values.mixed !== "false") {
    const mixed = mixedRun(events, users, 0)
    const seeds = fundRedeemers(mixed.redeemers, 0)
    await producer.send({ topic: "buy", acks: -1, messages: seeds })
    const funded = seeds.length * pointsPerPurchase
    for (let state = await mixedState(sql); state.points < funded; state = await mixedState(sql)) await Bun.sleep(20)
    const target = funded + mixed.points
    const started = performance.now()
    // Purchases and their refunds go out together, in the order a shop's systems would send them;
    // the redemptions run beside them over HTTP.
    const producing = (async () => {
      for (let i = 0; i < mixed.stream.length; i += 1000) {
        const chunk = mixed.stream.slice(i, i + 1000)
        for (const topic of ["buy", "refund"] as const) {
          const messages = chunk.filter((item) => item.topic === topic).map((item) => item.message)
          if (messages.length > 0) await producer.send({ topic, acks: -1, messages })
        }
      }
    })()
    await Promise.all([producing, redeemAll(ports, mixed.redeemers, 0)])
    const brokers = `127.0.0.1:${ports.broker}`
    const deadline = Date.now() + 600_000
    for (;;) {
      const state = await mixedState(sql)
      if (state.points === target && state.expiries === mixed.expiring * 2 && state.redemptions === mixed.redeemers.length && (await groupsCaughtUp(brokers, allLoyalteaGroups))) break
      if (Date.now() > deadline) throw new Error(`mixed: ${JSON.stringify(state)} after 600 s, expected ${target} points, ${mixed.expiring * 2} expiries`)
      await Bun.sleep(50)
    }
    const seconds = (performance.now() - started) / 1000
    const mixedRate = (mixed.purchases.length + mixed.refunds.length) / seconds
    console.log(`${"mixed".padEnd(14)} end to end ${fmt(mixedRate, 0)} events/s: ${mixed.purchases.length} purchases (${mixed.expiring} of them expiring at once), ${mixed.refunds.length} full refunds and ${mixed.redeemers.length} redemptions in ${fmt(seconds, 2)} s`)
    console.log(`mixed vs plain: ${fmt((mixedRate / plain) * 100, 1)}% of the plain throughput, in events (a refund counts as one)`)
  }

  if (soakSeconds > 0) {
    // The soak runs at the highest rate asked for.
    const rate = rates.at(-1)!
    const perTick = Math.max(1, Math.round(rate / 100))
    console.log(`soak: ${rate} events/s for ${soakSeconds} s, RSS every 30 s`)
    const soakStart = Date.now()
    let i = 0
    while (Date.now() - soakStart < soakSeconds * 1000) {
      await producer.send({ topic: "buy", acks: -1, messages: Array.from({ length: perTick }, () => purchase(`soak-${i % users}`, i++)) })
      if (i % (rate * 30) < perTick) console.log(`  ${fmt((Date.now() - soakStart) / 1000, 0)} s: RSS ${fmt(lt.rss(), 0)} MiB`)
      const wait = soakStart + (i / rate) * 1000 - Date.now()
      if (wait > 0) await Bun.sleep(wait)
    }
  }
  console.log(`peak RSS of the all-in-one process: ${fmt(peakRss, 0)} MiB`)
} finally {
  clearInterval(sampler)
  await producer.disconnect()
  await sql.end()
  await lt.stop()
  await standalone?.stop()
  await database.drop()
  rmSync(dataDir, { recursive: true, force: true })
}
