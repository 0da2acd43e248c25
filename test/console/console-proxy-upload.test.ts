import { afterAll, describe, expect, test } from "bun:test"
import { createHash } from "node:crypto"
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
  const consoleApp = (timeoutMs?: number) =>
    serviceApp({ service: "console", ready: async () => ({ ready: true, checks: {} }) as never, metrics: async () => "", rootToSwagger: false, streamedBodies: isProxiedUpload, onServerError: () => {} })
      .use(proxyRoutes(config, timeoutMs))

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

  test("an upload whose body stops moving is cut at the deadline: 503, not held open", async () => {
    const body = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(text.encode("userId,points\r\n")) })
    const started = Date.now()
    const answer = await consoleApp(300).handle(new Request("http://localhost/api/reward/imports/opening-balances?tenant=meiwei", {
      method: "POST", headers: { "content-type": "text/csv" }, body, duplex: "half"
    } as RequestInit))
    expect(answer.status).toBe(503)
    expect(Date.now() - started).toBeLessThan(2000)
  }, 30_000)

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
