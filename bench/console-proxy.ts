/**
 * bun run bench:console-proxy [--mib 1000]
 *
 * An export-sized answer (64 KiB chunks of CSV-like bytes from a local server standing in for the
 * reward service) read through the console's `/api/<service>/...` proxy: throughput and the
 * process's peak RSS growth while it passes, which stays flat only if the proxy streams.
 */
import { parseArgs } from "node:util"
import { Option } from "effect"
import { proxyRoutes } from "../src/console/proxy.ts"
import { testConfig } from "../test/support/layers.ts"

const { values } = parseArgs({ options: { mib: { type: "string", default: "1000" } } })
const mib = Number(values.mib)
const chunk = new Uint8Array(64 * 1024).fill(65)
const upstream = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch: () => {
    let sent = 0
    return new Response(new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ >= mib * 16) controller.close()
        else controller.enqueue(chunk)
      }
    }), { headers: { "content-type": "text/csv; charset=utf-8" } })
  }
})
const proxy = proxyRoutes(testConfig({ console: { rewardServiceUrl: Option.some(`http://127.0.0.1:${upstream.port}/`) } }))

Bun.gc(true)
const before = process.memoryUsage().rss
let peak = before
const started = performance.now()
const answer = await proxy.handle(new Request("http://localhost/api/reward/exports/ledger?tenant=bench"))
peak = Math.max(peak, process.memoryUsage().rss)
let bytes = 0
for await (const part of answer.body!) {
  bytes += part.byteLength
  if (bytes % (1024 * 1024) === 0) peak = Math.max(peak, process.memoryUsage().rss)
}
const seconds = (performance.now() - started) / 1000
const inMib = bytes / 1024 / 1024
console.log(`${inMib.toFixed(0)} MiB through the console proxy in ${seconds.toFixed(2)} s (${(inMib / seconds).toFixed(0)} MiB/s); peak RSS growth ${((peak - before) / 1024 / 1024).toFixed(1)} MiB`)
upstream.stop(true)
