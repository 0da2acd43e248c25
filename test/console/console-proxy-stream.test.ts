import { afterAll, describe, expect, test } from "bun:test"
import { Option } from "effect"
import { proxyRoutes } from "../../src/console/proxy.ts"
import { streamedBody } from "../../src/console/upstream-body.ts"
import { testConfig } from "../support/layers.ts"

const text = new TextEncoder()
const lines = new TextDecoder()

/**
 * The console's proxy passes an answer on as the service sends it (an export is streamed, and may
 * be larger than the console should hold), and gives up on a service that stops sending.
 */
describe("the console proxy streams answers", () => {
  // The second half is sent only once the client has read the first: a proxy that buffers never gets it.
  let firstRead: () => void = () => {}
  const firstReadSeen = new Promise<void>((resolve) => (firstRead = resolve))
  const upstream = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (request) => {
      if (new URL(request.url).pathname === "/exports/stalled") {
        // A header line, then nothing more, ever.
        return new Response(new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(text.encode("id,amount\r\n")) }), { headers: { "content-type": "text/csv" } })
      }
      if (new URL(request.url).pathname !== "/exports/ledger") {
        return Response.json({ status: 404, title: "Not Found", detail: "no such route" }, { status: 404, headers: { "content-type": "application/problem+json" } })
      }
      return new Response(new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(text.encode("id,amount\r\n"))
          await firstReadSeen
          controller.enqueue(text.encode("e1,100\r\n"))
          controller.close()
        }
      }), { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="ledger.csv"', "x-internal": "not passed on" } })
    }
  })
  afterAll(() => upstream.stop(true))
  const proxy = proxyRoutes(testConfig({ console: { rewardServiceUrl: Option.some(`http://127.0.0.1:${upstream.port}/`) } }))

  test("hands on the first chunk before the service has sent the rest, with its type and file name", async () => {
    const answer = await proxy.handle(new Request("http://localhost/api/reward/exports/ledger?tenant=meiwei"))
    expect(answer.status).toBe(200)
    expect(answer.headers.get("content-type")).toBe("text/csv; charset=utf-8")
    expect(answer.headers.get("content-disposition")).toBe('attachment; filename="ledger.csv"')
    expect(answer.headers.get("x-internal")).toBeNull()
    const reader = answer.body!.getReader()
    const first = await Promise.race([reader.read(), Bun.sleep(5000).then(() => "buffered" as const)])
    expect(first).not.toBe("buffered")
    expect(lines.decode((first as Awaited<ReturnType<typeof reader.read>>).value)).toBe("id,amount\r\n")
    firstRead()
    let rest = ""
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += lines.decode(chunk.value)
    expect(rest).toBe("e1,100\r\n")
  })

  test("an answer that stalls mid-stream is cut off after the idle limit, not held open", async () => {
    const impatient = proxyRoutes(testConfig({ console: { rewardServiceUrl: Option.some(`http://127.0.0.1:${upstream.port}/`) } }), 200)
    const answer = await impatient.handle(new Request("http://localhost/api/reward/exports/stalled?tenant=meiwei"))
    expect(answer.status).toBe(200)
    const reader = answer.body!.getReader()
    expect(lines.decode((await reader.read()).value)).toBe("id,amount\r\n")
    const started = Date.now()
    const outcome = await Promise.race([reader.read().then(() => "ended", (e: Error) => `failed: ${e.message}`), Bun.sleep(3000).then(() => "still open")])
    expect(outcome).toStartWith("failed: ")
    expect(Date.now() - started).toBeLessThan(1500)
  })

  test("a refusal passes through as the service's problem", async () => {
    const answer = await proxy.handle(new Request("http://localhost/api/reward/elsewhere"))
    expect(answer.status).toBe(404)
    expect(answer.headers.get("content-type")).toBe("application/problem+json")
    expect(await answer.json()).toEqual({ status: 404, title: "Not Found", detail: "no such route" })
  })

  test("a stream that goes quiet longer than the idle limit is aborted; one that keeps sending is not", async () => {
    const reasons: Array<string> = []
    const quiet = streamedBody(new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(text.encode("a")) }), 100, (reason) => reasons.push(reason.message))
    const reader = quiet.getReader()
    expect(lines.decode((await reader.read()).value)).toBe("a")
    // The client asks for more; the service sends nothing.
    const waiting = reader.read()
    await Bun.sleep(250)
    expect(reasons).toEqual(["the service sent nothing for 100 ms"])
    await reader.cancel()
    expect((await waiting).done).toBe(true)

    const steady: Array<string> = []
    let sent = 0
    const source = new ReadableStream<Uint8Array>({
      async pull(c) {
        await Bun.sleep(60)
        if (sent++ < 5) c.enqueue(text.encode(String(sent)))
        else c.close()
      }
    })
    let all = ""
    for await (const chunk of streamedBody(source, 100, (reason) => steady.push(reason.message))) all += lines.decode(chunk)
    await Bun.sleep(150)
    // 360 ms in all, longer than the limit, but never 100 ms without a chunk.
    expect(all).toBe("12345")
    expect(steady).toEqual([])
  })

  test("a client that reads slowly is not taken for a silent service", async () => {
    const reasons: Array<string> = []
    const ready = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(text.encode(String(i)))
        c.close()
      }
    })
    const reader = streamedBody(ready, 100, (reason) => reasons.push(reason.message)).getReader()
    let all = lines.decode((await reader.read()).value)
    // The client pauses three times the idle limit before it reads on.
    await Bun.sleep(300)
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) all += lines.decode(chunk.value)
    expect(all).toBe("0123456789")
    expect(reasons).toEqual([])
  })
})
