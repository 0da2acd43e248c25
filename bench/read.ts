/**
 * bun run bench:read [--users 1000] [--connections 64] [--seconds 10]
 *
 * Authenticated balance reads (`GET /user-rewards/{userId}/`) against the all-in-one process on a
 * real local PostgreSQL, driven by wrk, with an access token and with an API key; beside them in
 * the same run `/health` through the same stack and the route's ceiling: a bare Elysia +
 * postgres.js point read of the same row in a process of its own. Prints req/s, p50, p99 and the
 * ratio to the ceiling.
 */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Kafka, logLevel, Partitioners } from "kafkajs"
import postgres from "postgres"
import { freePort } from "../test/support/ports.ts"
import { freePorts, portsEnv } from "../test/support/process.ts"
import { createTestDatabase } from "../test/support/postgres.ts"
import { startLoyaltea } from "./flow/process.ts"
import { benchAdmin, benchTenant, createCampaigns, pointsPerPurchase, post } from "./flow/setup.ts"
import { fmt } from "./flow/stats.ts"
import { type LoadResult, runWrk } from "./read/wrk.ts"

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "1000" },
    connections: { type: "string", default: "64" },
    seconds: { type: "string", default: "10" }
  }
})
const users = Number(values.users)
const connections = Number(values.connections)
const seconds = Number(values.seconds)

const database = await createTestDatabase("loyaltea_bench_read")
const ports = await freePorts()
const dataDir = mkdtempSync(join(tmpdir(), "loyaltea-bench-read-"))
const lt = await startLoyaltea({
  DATABASE_URL: database.url,
  LOYALTEA_DATA_DIR: dataDir,
  ...portsEnv(ports),
  LOYALTEA_ADMIN_USERNAME: benchAdmin.username,
  LOYALTEA_ADMIN_PASSWORD: benchAdmin.password
})
const sql = postgres(database.url, { max: 2, onnotice: () => {} })
const ceilingPort = await freePort()
const ceiling = Bun.spawn([process.execPath, join(import.meta.dir, "read", "ceiling.ts"), database.url, String(ceilingPort), "10"], { stdout: "pipe", stderr: "inherit" })

try {
  await createCampaigns(ports)
  const kafka = new Kafka({ clientId: "bench-read", brokers: [`127.0.0.1:${ports.broker}`], logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  const ids = Array.from({ length: users }, (_, i) => `reader-${i}`)
  for (let i = 0; i < ids.length; i += 1000) {
    await producer.send({
      topic: "buy",
      acks: -1,
      messages: ids.slice(i, i + 1000).map((user) => ({ key: `${benchTenant}:${user}`, value: JSON.stringify({ tenant: benchTenant, product: "bread", amount: 120, userId: user, eventId: `read-${user}` }) }))
    })
  }
  await producer.disconnect()
  const target = users * pointsPerPurchase
  for (let total = 0; total < target; await Bun.sleep(50)) {
    total = Number((await sql`select coalesce(sum(points), 0)::text as s from reward.balances where tenant = ${benchTenant}`)[0]!.s)
  }
  const token = String((await post(ports.user, "/auth/login", benchAdmin)).accessToken)
  const key = String((await post(ports.user, "/api-keys", { name: "bench", tenant: benchTenant, scopes: ["read"] })).key)

  const paths = ids.map((user) => `/user-rewards/${user}/?tenant=${benchTenant}`)
  const check = async (base: string, headers: Record<string, string>) => {
    const response = await fetch(`${base}${paths[0]}`, { headers })
    const body = (await response.json()) as { points?: number }
    if (response.status !== 200 || body.points !== pointsPerPurchase) throw new Error(`${base}: ${response.status} ${JSON.stringify(body)}`)
  }
  const service = `http://127.0.0.1:${ports.reward}`
  const bare = `http://127.0.0.1:${ceilingPort}`
  await check(service, { authorization: `Bearer ${token}` })
  await check(service, { "x-api-key": key })
  await check(bare, {})

  console.log(`machine: ${navigator.hardwareConcurrency} cores; ${users} users' balances; wrk ${connections} connections, ${seconds} s per run, 2 threads`)
  const load = (label: string, base: string, runPaths: ReadonlyArray<string>, headers: Record<string, string> = {}) =>
    runWrk({ label, base, paths: runPaths, headers, connections, seconds })
  // A short warm-up of every path, so JIT and caches are as warm for each.
  await load("warm-up", service, paths, { authorization: `Bearer ${token}` }).catch(() => undefined)
  const results: Array<LoadResult> = [
    await load("ceiling: bare point read", bare, paths),
    await load("balance, access token", service, paths, { authorization: `Bearer ${token}` }),
    await load("balance, API key", service, paths, { "x-api-key": key }),
    await load("/health, same stack", service, ["/health"])
  ]
  const ceilingRate = results[0]!.requestsPerSecond
  for (const r of results) {
    if (r.non2xx > 0) throw new Error(`${r.label}: ${r.non2xx} answers were not 2xx`)
    console.log(`${r.label.padEnd(28)} ${fmt(r.requestsPerSecond).padStart(8)} req/s  p50 ${fmt(r.p50Ms, 2).padStart(6)} ms  p99 ${fmt(r.p99Ms, 2).padStart(6)} ms  ${fmt((100 * r.requestsPerSecond) / ceilingRate).padStart(4)}% of the ceiling`)
  }
} finally {
  ceiling.kill("SIGTERM")
  await sql.end()
  await lt.stop()
  await database.drop()
}
