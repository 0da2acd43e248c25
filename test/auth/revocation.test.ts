import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { decodeJwt } from "jose"
import postgres from "postgres"
import { pruneRevocations } from "../../src/actors/user/revocation-repo.ts"
import { subjectOf } from "../../src/auth/revocations.ts"
import { Database } from "../../src/db/database.ts"
import { request } from "../support/app.ts"
import { allServices, type Route } from "./all-services.ts"
import { fixtures, tenantA } from "./route-fixtures.ts"

const password = "a-long-enough-password"

type Session = { accessToken: string; refreshToken: string; operator: { id: string } }

describe("revoked access tokens are refused at once, on every route of every service in the process", () => {
  let services: Awaited<ReturnType<typeof allServices>>
  let sql: postgres.Sql
  const create = (service: string, path: string, body: unknown, idField: string) => services.create(service, path, body, idField)
  const guarded = () => services.routes.filter((route) => route.access !== "public")

  const login = async (username: string): Promise<Session> => {
    const response = await request(services.apps.user, "POST", "/auth/login", { username, password })
    expect(response.status).toBe(200)
    return (await response.json()) as Session
  }
  const operator = async (role: string, tenant?: string) => {
    const username = `op-${crypto.randomUUID()}`
    await create("user", "/operators", { username, password, role, ...(tenant ? { tenant } : {}) }, "id")
    return username
  }
  /** Every guarded route called with the token: `METHOD path → status` of those that did not answer `expected`. */
  const answersOtherThan = async (token: string, expected: (route: Route, status: number) => boolean) => {
    const wrong: Array<string> = []
    for (const route of guarded()) {
      const call = await fixtures[`${route.method} ${route.path}`]!(create)
      const response = await request(services.apps[route.service], route.method.toUpperCase(), call.path, call.body, { ...call.headers, authorization: `Bearer ${token}` })
      if (!expected(route, response.status)) wrong.push(`${route.method.toUpperCase()} ${route.path} (${route.access}) → ${response.status}: ${(await response.text()).slice(0, 100)}`)
    }
    return wrong
  }
  const refused = (_: Route, status: number) => status === 401
  const notRefused = (_: Route, status: number) => status !== 401 && status < 500

  beforeAll(async () => {
    services = await allServices()
    sql = postgres(services.database.url, { max: 2, onnotice: () => {} })
    await request(services.apps.user, "POST", "/tenants", { id: tenantA, name: "A" }, services.adminHeaders)
  }, 60_000)
  afterAll(async () => {
    await sql?.end()
    await services?.close()
  })

  test("a disabled operator's token, good on every route a moment before, gets 401 on every one of them", async () => {
    const ops = await login(await operator("admin"))
    const writes = guarded().filter((route) => route.method !== "get")
    expect(writes.length).toBeGreaterThan(20)
    expect(await answersOtherThan(ops.accessToken, (route, status) => status !== 401 && status !== 403 && status < 500)).toEqual([])
    expect((await request(services.apps.user, "DELETE", `/operators/${ops.operator.id}`, undefined, services.adminHeaders)).status).toBe(204)
    expect(await answersOtherThan(ops.accessToken, refused)).toEqual([])
    const body = (await (await request(services.apps.reward, "POST", "/rewards/", { tenant: tenantA, reward_points: 1 }, { authorization: `Bearer ${ops.accessToken}` })).json()) as { message: string }
    expect(body.message).toBe("the access token has been revoked: its operator was disabled")
  }, 120_000)

  test("after logout the session's token gets 401 everywhere; a new login of the same operator works everywhere", async () => {
    const username = await operator("tenant-admin", tenantA)
    const before = await login(username)
    expect((await request(services.apps.user, "POST", "/auth/logout", { refreshToken: before.refreshToken })).status).toBe(204)
    expect(await answersOtherThan(before.accessToken, refused)).toEqual([])
    const again = await login(username)
    expect(decodeJwt(again.accessToken).sid).not.toBe(decodeJwt(before.accessToken).sid)
    expect(await answersOtherThan(again.accessToken, notRefused)).toEqual([])
  }, 120_000)

  test("a refresh token presented twice ends its session: the access tokens issued from it are refused", async () => {
    const first = await login(await operator("tenant-admin", tenantA))
    const rotated = (await (await request(services.apps.user, "POST", "/auth/refresh", { refreshToken: first.refreshToken })).json()) as Session
    const write = (token: string) => request(services.apps.reward, "POST", "/rewards/", { tenant: tenantA, reward_points: 1 }, { authorization: `Bearer ${token}` })
    expect((await write(rotated.accessToken)).status).toBe(201)
    expect((await request(services.apps.user, "POST", "/auth/refresh", { refreshToken: first.refreshToken })).status).toBe(401)
    expect((await write(rotated.accessToken)).status).toBe(401)
    expect((await write(first.accessToken)).status).toBe(401)
  })

  test("the published list names no session or operator, only their hashes", async () => {
    const username = await operator("tenant-viewer", tenantA)
    const session = await login(username)
    await request(services.apps.user, "POST", "/auth/logout", { refreshToken: session.refreshToken })
    const response = await request(services.apps.user, "GET", "/auth/revocations")
    expect(response.status).toBe(200)
    const text = await response.text()
    const sid = decodeJwt(session.accessToken).sid as string
    expect(text).not.toContain(sid)
    expect(text).not.toContain(session.operator.id)
    const feed = JSON.parse(text) as { revocations: Array<{ kind: string; subject: string; notAfter: number; expiresAt: number }>; cursor: string; more: boolean }
    const entry = feed.revocations.find((r) => r.subject === subjectOf(sid))
    expect(entry).toMatchObject({ kind: "session" })
    expect(entry!.notAfter).toBeGreaterThanOrEqual(decodeJwt(session.accessToken).iat!)
    expect(entry!.expiresAt).toBeGreaterThan(decodeJwt(session.accessToken).exp! * 1000)
    expect(feed.cursor).toMatch(/^\d+$/)
    expect((await request(services.apps.user, "GET", "/auth/revocations?after=x1")).status).toBe(422)
  })

  test("a revocation whose transaction commits after a later one's is still delivered to a follower", async () => {
    const feed = async (after?: string) =>
      (await (await request(services.apps.user, "GET", `/auth/revocations${after ? `?after=${after}` : ""}`)).json()) as { revocations: Array<{ subject: string }>; cursor: string }
    const start = (await feed()).cursor
    const slow = crypto.randomUUID()
    const quick = crypto.randomUUID()
    const early = await sql.reserve()
    try {
      await early`begin`
      await early`insert into users.token_revocations (kind, subject, expires_at) values ('session', ${slow}, now() + interval '10 minutes')`
      await sql`insert into users.token_revocations (kind, subject, expires_at) values ('session', ${quick}, now() + interval '10 minutes')`
      const first = await feed(start)
      expect(first.revocations.map((r) => r.subject)).toContain(subjectOf(quick))
      expect(first.revocations.map((r) => r.subject)).not.toContain(subjectOf(slow))
      await early`commit`
      expect((await feed(first.cursor)).revocations.map((r) => r.subject)).toContain(subjectOf(slow))
    } finally {
      early.release()
    }
  })

  test("revocations are pruned once no token they cover can still be valid", async () => {
    const session = await login(await operator("tenant-viewer", tenantA))
    await request(services.apps.user, "POST", "/auth/logout", { refreshToken: session.refreshToken })
    const sid = decodeJwt(session.accessToken).sid as string
    const [kept] = await sql<Array<{ expires_at: Date; revoked_at: Date }>>`select expires_at, revoked_at from users.token_revocations where subject = ${sid}`
    expect((kept!.expires_at.getTime() - kept!.revoked_at.getTime()) / 1000).toBe(17 * 60)
    await sql`update users.token_revocations set expires_at = now() - interval '1 second' where subject = ${sid}`
    const pruned = await services.runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => pruneRevocations(db.sql)) as never)
    expect(pruned).toBeGreaterThanOrEqual(1)
    expect(await sql`select 1 from users.token_revocations where subject = ${sid}`).toHaveLength(0)
    const feed = (await (await request(services.apps.user, "GET", "/auth/revocations")).json()) as { revocations: Array<{ subject: string }> }
    expect(feed.revocations.map((r) => r.subject)).not.toContain(subjectOf(sid))
  })
})
