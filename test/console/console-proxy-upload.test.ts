import { afterAll, describe, expect, test } from "bun:test"
import { createHash } from "node:crypto"
import { join } from "node:path"
import { Option } from "effect"
import { isProxiedUpload } from "../../src/console/proxied-uploads.ts"
import { proxyRoutes } from "../../src/console/proxy.ts"
import { serviceApp } from "../../src/http/service-app.ts"
import { testConfig } from "../support/layers.ts"

const text = new TextEncoder()
const mib = 1024 * 1024

/** `rows` lines of opening balances, about 60 bytes each. */
const csvRows = (from: number, rows: number) =>
  Array.from({ length: rows }, (_, i) => `${String(from + i).padStart(8, "0")}-0000-4000-8000-000000000000,${from + i}.5,,imported\r\n`).join("")

/**
 * The console's proxy hands an import's CSV or NDJSON body to the service as it arrives: past the
 * console's 1 MiB JSON limit, never parsed, never held whole; every other body stays bounded JSON.
 */
describe("the console proxy streams import bodies", () => {
  const received: Array<{ path: string; contentType: string | null; bytes: number; sha256: string; chunks: number }> = []
  // Resolved once the service has taken the first part of the body: the client sends the rest only then.
  let firstPartSeen: () => void = () => {}
  const firstPart = new Promise<void>((resolve) => (firstPartSeen = resolve))
  const upstream = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (request) => {
      const hash = createHash("sha256")
      let bytes = 0
      let chunks = 0
      for await (const chunk of request.body ?? []) {
        hash.update(chunk)
        bytes += chunk.byteLength
        chunks++
        if (bytes >= mib) firstPartSeen()
      }
      // The service still applying its last batch after the whole body is in.
      if (new URL(request.url).searchParams.get("tenant") === "slow") await Bun.sleep(700)
      received.push({ path: new URL(request.url).pathname + new URL(request.url).search, contentType: request.headers.get("content-type"), bytes, sha256: hash.digest("hex"), chunks })
      return Response.json({ read: bytes }, { status: 201 })
    }
  })
  afterAll(() => upstream.stop(true))
  const config = testConfig({
    console: { rewardServiceUrl: Option.some(`http://127.0.0.1:${upstream.port}/`) },
    peers: { campaign: Option.none(), fulfillment: Option.some(`http://127.0.0.1:${upstream.port}/`) }
  })
  // The console app's body handling (limit, JSON parser) with its proxy, as src/console/definition.ts composes them.
  const consoleApp = (timeoutMs?: number, answerMs?: number) =>
    serviceApp({ service: "console", ready: async () => ({ ready: true, checks: {} }) as never, metrics: async () => "", rootToSwagger: false, streamedBodies: isProxiedUpload, onServerError: () => {} })
      .use(proxyRoutes(config, timeoutMs, answerMs))

  test("a 2.7 MiB CSV reaches the reward service intact, with its type, and its second part is sent only after the service has read the first", async () => {
    const first = text.encode(csvRows(0, 20_000))
    const second = text.encode(csvRows(20_000, 30_000))
    expect(first.byteLength).toBeGreaterThan(mib)
    expect(first.byteLength + second.byteLength).toBeGreaterThan(2.5 * mib)
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 0) controller.enqueue(first)
        else if (sent === 1) {
          // A proxy that read the whole body before forwarding it would wait here for ever.
          const outcome = await Promise.race([firstPart.then(() => "seen"), Bun.sleep(10_000).then(() => "buffered")])
          if (outcome === "buffered") controller.error(new Error("the service never saw the first part: the proxy buffers"))
          else controller.enqueue(second)
        } else controller.close()
        sent++
      }
    })
    const answer = await consoleApp().handle(new Request("http://localhost/api/reward/imports/opening-balances?tenant=meiwei&id=5b0d8c1e-2f4a-4c3b-9d6e-7a8b9c0d1e2f", {
      method: "POST", headers: { "content-type": "text/csv; charset=utf-8" }, body, duplex: "half"
    } as RequestInit))
    expect(answer.status).toBe(201)
    const whole = new Uint8Array([...first, ...second])
    expect(received.at(-1)).toMatchObject({
      path: "/imports/opening-balances?tenant=meiwei&id=5b0d8c1e-2f4a-4c3b-9d6e-7a8b9c0d1e2f",
      contentType: "text/csv; charset=utf-8",
      bytes: whole.byteLength,
      sha256: createHash("sha256").update(whole).digest("hex")
    })
    expect(received.at(-1)!.chunks).toBeGreaterThan(1)
  }, 30_000)

  test("an NDJSON body goes to the fulfillment service's purchases as it is", async () => {
    const ndjson = `{"userId":"u1","amount":"12.50","occurredAt":"2026-01-01T00:00:00Z","eventId":"e1"}\n`.repeat(30_000)
    const answer = await consoleApp().handle(new Request("http://localhost/api/fulfillment/imports/purchases?tenant=meiwei", {
      method: "POST", headers: { "content-type": "application/x-ndjson" }, body: ndjson
    }))
    expect(answer.status).toBe(201)
    expect(received.at(-1)).toMatchObject({ path: "/imports/purchases?tenant=meiwei", contentType: "application/x-ndjson", bytes: ndjson.length, sha256: createHash("sha256").update(ndjson).digest("hex") })
  })

  test("an upload that outlasts the answer deadline is not cut while its body keeps moving", async () => {
    const chunk = text.encode(csvRows(0, 1000))
    let sent = 0
    // Ten chunks 100 ms apart: a second in all, against a deadline of 300 ms.
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        await Bun.sleep(100)
        if (sent++ < 10) c.enqueue(chunk)
        else c.close()
      }
    }, { highWaterMark: 0 })
    const started = Date.now()
    const answer = await consoleApp(300).handle(new Request("http://localhost/api/reward/imports/opening-balances?tenant=meiwei", {
      method: "POST", headers: { "content-type": "text/csv" }, body, duplex: "half"
    } as RequestInit))
    expect(answer.status).toBe(201)
    expect(Date.now() - started).toBeGreaterThan(900)
    expect(received.at(-1)!.bytes).toBe(chunk.byteLength * 10)
  }, 30_000)

  test("once the whole body is handed on, the service has the longer answer bound to finish; past it the upload is cut", async () => {
    const post = (answerMs: number) => consoleApp(300, answerMs).handle(new Request("http://localhost/api/reward/imports/opening-balances?tenant=slow", {
      method: "POST", headers: { "content-type": "text/csv" }, body: csvRows(0, 100)
    }))
    expect((await post(3000)).status).toBe(201)
    expect((await post(400)).status).toBe(503)
  }, 30_000)

  test("an upload whose body stops moving is cut at the deadline: 503, not held open", async () => {
    const body = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(text.encode("userId,points\r\n")) })
    const started = Date.now()
    const answer = await consoleApp(300).handle(new Request("http://localhost/api/reward/imports/opening-balances?tenant=meiwei", {
      method: "POST", headers: { "content-type": "text/csv" }, body, duplex: "half"
    } as RequestInit))
    expect(answer.status).toBe(503)
    expect(Date.now() - started).toBeLessThan(2000)
  }, 30_000)

  test("a 160 MiB upload to a slower service in another process passes with the proxy's memory growing by far less than the body", async () => {
    const sink = Bun.spawn([process.execPath, join(import.meta.dir, "../support/slow-upload-sink.ts")], { stdout: "pipe" })
    try {
      const port = Number(new TextDecoder().decode((await sink.stdout.getReader().read()).value).trim())
      const app = serviceApp({ service: "console", ready: async () => ({}) as never, metrics: async () => "", streamedBodies: isProxiedUpload, onServerError: () => {} })
        .use(proxyRoutes(testConfig({ console: { rewardServiceUrl: Option.some(`http://127.0.0.1:${port}/`) } })))
      const total = 160 * mib
      const chunk = new Uint8Array(64 * 1024).fill(65)
      let sent = 0
      // A fresh chunk each time, so that a proxy that kept them would keep the whole body.
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent >= total) return c.close()
          c.enqueue(chunk.slice())
          sent += chunk.byteLength
        }
      }, { highWaterMark: 0 })
      Bun.gc(true)
      const before = process.memoryUsage().rss
      let peak = before
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
      const started = Date.now()
      const answer = await app.handle(new Request("http://localhost/api/reward/imports/opening-balances?tenant=meiwei", {
        method: "POST", headers: { "content-type": "text/csv" }, body, duplex: "half"
      } as RequestInit))
      clearInterval(sampler)
      expect(answer.status).toBe(201)
      expect(await answer.json()).toEqual({ bytes: total })
      const grew = (peak - before) / mib
      console.log(`160 MiB through the proxy in ${Date.now() - started} ms; its RSS ${Math.round(before / mib)} MiB before, peak +${grew.toFixed(0)} MiB`)
      expect(grew).toBeLessThan(64)
    } finally {
      sink.kill()
    }
  }, 60_000)

  test("other routes keep the console's limits: a large JSON body is 413, a CSV one 415, before the service sees either", async () => {
    const before = received.length
    const large = await consoleApp().handle(new Request("http://localhost/api/reward/rewards/", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "x".repeat(2 * mib) })
    }))
    expect(large.status).toBe(413)
    const csv = await consoleApp().handle(new Request("http://localhost/api/reward/rewards/", { method: "POST", headers: { "content-type": "text/csv" }, body: "userId,points\r\n" }))
    expect(csv.status).toBe(415)
    // The import path under another service is not an upload there.
    const elsewhere = await consoleApp().handle(new Request("http://localhost/api/campaign/imports/opening-balances", { method: "POST", headers: { "content-type": "text/csv" }, body: "userId,points\r\n" }))
    expect(elsewhere.status).toBe(415)
    expect(received.length).toBe(before)
  })
})
