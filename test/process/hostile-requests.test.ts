import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { connect, type Socket } from "node:net"
import { serviceNames } from "../../src/config/service-name.ts"
import { maxBodyBytes } from "../../src/http/body-limit.ts"
import { maxJsonDepth } from "../../src/platform/bounded-json.ts"
import { type LoyalteaProcess, spawnLoyaltea, waitHealthy, waitStarted } from "../support/process.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

const deepArrays = "[".repeat(50_000) + "]".repeat(50_000)

interface RawAnswer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
  /** The server closed the connection once it had answered. */
  readonly closed: boolean
  /** Body bytes the client got to send before the server stopped it. */
  readonly sent: number
}

/**
 * One request written byte by byte on a socket, so that nothing (neither fetch nor Bun's own
 * client) frames, buffers or limits it: the head, then body chunks for as long as `body` yields
 * them and the server keeps the connection open.
 */
const rawRequest = (port: number, head: string, body: () => Iterable<string>, settleMs = 2000) =>
  new Promise<RawAnswer>((resolve) => {
    const socket: Socket = connect(port, "127.0.0.1")
    let received = ""
    let closed = false
    let sent = 0
    const finish = () => {
      const [top = "", ...rest] = received.split("\r\n\r\n")
      const [statusLine = "", ...headerLines] = top.split("\r\n")
      const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]))
      socket.destroy()
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n"), closed, sent })
    }
    socket.on("data", (data) => (received += data.toString()))
    socket.on("error", () => undefined)
    socket.on("close", () => {
      closed = true
      finish()
    })
    socket.on("connect", async () => {
      socket.write(head)
      for (const chunk of body()) {
        if (closed || socket.destroyed) break
        sent += chunk.length
        if (!socket.write(chunk)) await new Promise((r) => (socket.once("drain", r), socket.once("close", r)))
      }
      setTimeout(() => !closed && finish(), settleMs)
    })
  })

describe("one process, four services, under hostile requests over TCP", () => {
  let database: TestDatabase
  let lt: LoyalteaProcess
  const url = (service: (typeof serviceNames)[number], path: string) => `http://127.0.0.1:${lt.ports[service]}${path}`

  beforeAll(async () => {
    database = await createTestDatabase()
    lt = await spawnLoyaltea({ DATABASE_URL: database.url })
    await waitStarted(lt)
    for (const service of serviceNames) await waitHealthy(lt, service)
  }, 90_000)
  afterAll(async () => {
    await lt?.stop()
    await database?.drop()
  })

  test("while 100 KB bodies nested 50,000 deep are refused on the public routes, /health on another port answers at once", async () => {
    const targets = [url("user", "/auth/login"), url("user", "/auth/refresh"), url("user", "/auth/introspect"), url("fulfillment", "/events/buy")]
    const refusals: Array<{ status: number; body: Record<string, unknown> }> = []
    const latencies: Array<number> = []
    let sending = true
    const attack = (async () => {
      // Four at a time for two seconds: every refusal must leave the loop free for the others.
      const until = performance.now() + 2000
      while (performance.now() < until) {
        const answers = await Promise.all(targets.map(async (target) => {
          const response = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: deepArrays })
          return { status: response.status, body: (await response.json()) as Record<string, unknown> }
        }))
        refusals.push(...answers)
      }
      sending = false
    })()
    while (sending) {
      const started = performance.now()
      const health = await fetch(url("campaign", "/health"))
      latencies.push(performance.now() - started)
      expect(health.status).toBe(200)
      await Bun.sleep(5)
    }
    await attack
    latencies.sort((a, b) => a - b)
    // Before, each such body held the one event loop for 8-24 s; now nothing waits behind it.
    expect(latencies.at(-1)!).toBeLessThan(1000)
    expect(latencies[Math.floor(latencies.length * 0.9)]!).toBeLessThan(100)
    expect(latencies.length).toBeGreaterThanOrEqual(20)
    expect(refusals.length).toBeGreaterThanOrEqual(20)
    for (const refusal of refusals) expect(refusal).toEqual({ status: 400, body: expect.objectContaining({ error: "BodyTooDeep", limit: maxJsonDepth }) })
  }, 120_000)

  test("a body declared over the limit gets 413 with the error body before it is read", async () => {
    const head = (length: number) => `POST /rewards/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`
    const somewhat = await rawRequest(lt.ports.reward, head(2 * 1024 * 1024), function*() {
      for (let i = 0; i < 32; i++) yield "{".repeat(64 * 1024)
    }, 500)
    expect(somewhat.status).toBe(413)
    expect(JSON.parse(somewhat.body)).toMatchObject({ error: "PayloadTooLarge", message: `the request body is over ${maxBodyBytes} bytes` })
    expect(somewhat.headers["content-type"]).toStartWith("application/problem+json")
    // Ten gigabytes are not waited for: the answer comes at once and the connection closes.
    const enormous = await rawRequest(lt.ports.reward, head(10_000_000_000), function*() {
      yield "{".repeat(100_000)
    })
    expect(enormous.status).toBe(413)
    expect(JSON.parse(enormous.body)).toMatchObject({ error: "PayloadTooLarge" })
    expect(enormous.closed).toBe(true)
  })

  test("a chunked body without a length is kept only up to the limit: 413 with the error body; an endless one is cut off", async () => {
    const chunk = "x".repeat(64 * 1024)
    const framed = `${chunk.length.toString(16)}\r\n${chunk}\r\n`
    const head = "POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    const somewhat = await rawRequest(lt.ports.user, head, function*() {
      for (let i = 0; i < 48; i++) yield framed
      yield "0\r\n\r\n"
    })
    expect(somewhat.status).toBe(413)
    expect(JSON.parse(somewhat.body)).toMatchObject({ error: "PayloadTooLarge", message: `the request body is over ${maxBodyBytes} bytes` })
    expect(somewhat.closed).toBe(true)
    // A gigabyte offered: the server stops reading after a few megabytes and closes the connection.
    const endless = await rawRequest(lt.ports.user, head, function*() {
      for (let i = 0; i < 16_384; i++) yield framed
    })
    expect(endless.closed).toBe(true)
    expect(endless.sent).toBeLessThan(200 * 1024 * 1024)
  }, 30_000)

  test("a username with CR/LF cannot forge a log line", async () => {
    const forged = "[1999-01-01T00:00:00.000Z] INFO (#1): login"
    const response = await fetch(url("user", "/auth/login"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: `mallory\r\n${forged}`, password: "a wrong password" })
    })
    expect(response.status).toBe(401)
    const deadline = Date.now() + 5000
    while (!lt.output().includes("mallory") && Date.now() < deadline) await Bun.sleep(50)
    expect(lt.output()).toContain(`mallory\\r\\n${forged}`)
    expect(lt.output().split("\n").filter((line) => line.startsWith("[1999"))).toEqual([])
  })

  test("every answer on every port carries the security headers, errors and unknown routes included", async () => {
    const wrong: Array<string> = []
    for (const service of serviceNames) {
      const answers = [
        await fetch(url(service, "/health")),
        await fetch(url(service, "/ready")),
        await fetch(url(service, "/swagger")),
        await fetch(url(service, "/swagger/json")),
        await fetch(url(service, "/swagger/assets/swagger-ui.css")),
        await fetch(url(service, "/no/such/route")),
        await fetch(url(service, "/no/such/route"), { method: "POST", headers: { "content-type": "application/json" }, body: "{" }),
        await fetch(url(service, "/health"), { method: "POST", headers: { "content-type": "text/plain" }, body: "x" }),
        await fetch(url(service, "/auth/me"))
      ]
      for (const answer of answers) {
        const headers = Object.fromEntries(["x-content-type-options", "x-frame-options", "referrer-policy", "content-security-policy"].map((name) => [name, answer.headers.get(name)]))
        if (headers["x-content-type-options"] !== "nosniff" || headers["x-frame-options"] !== "DENY" || headers["referrer-policy"] !== "no-referrer" || !headers["content-security-policy"]) {
          wrong.push(`${service} ${answer.url} → ${answer.status} ${JSON.stringify(headers)}`)
        }
        await answer.arrayBuffer()
      }
    }
    expect(wrong).toEqual([])
  })
})
