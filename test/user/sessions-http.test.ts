import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer, Option, Redacted } from "effect"
import type { AnyElysia } from "elysia"
import postgres from "postgres"
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from "jose"
import { AuthSettings } from "../../src/actors/user/auth-settings.ts"
import { userRoutes } from "../../src/actors/user/definition.ts"
import { SigningKeys } from "../../src/actors/user/signing-keys.ts"
import { userUseCases, type UserUseCases } from "../../src/actors/user/user-use-cases.ts"
import { tokenAudience, tokenIssuer } from "../../src/auth/principal.ts"
import { anonymousApp, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

const rootPassword = "root-password-for-tests"
const settings = { adminUsername: Option.some("root"), adminPassword: Option.some(Redacted.make(rootPassword)), trustProxy: false, trustedProxies: 1 }

type Tokens = { accessToken: string; refreshToken: string; expiresIn: number; tokenType: string; operator: Record<string, unknown> }

describe("sessions: login, tokens, refresh and logout", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<UserUseCases>>
  let app: AnyElysia
  const login = (username: string, password: string) => request(app, "POST", "/auth/login", { username, password })
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
  const me = (token: string) => request(app, "GET", "/auth/me", undefined, bearer(token))
  const jwks = async () => createLocalJWKSet((await (await request(app, "GET", "/.well-known/jwks.json")).json()) as never)

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, userUseCases({}, Layer.succeed(AuthSettings, settings)))
    app = await anonymousApp(runtime, "user", userRoutes)
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("a login returns an EdDSA access token that verifies with the published JWKS and carries exactly the contract's claims", async () => {
    const response = await login("root", rootPassword)
    expect(response.status).toBe(200)
    const tokens = (await response.json()) as Tokens
    expect(tokens).toMatchObject({ tokenType: "Bearer", expiresIn: 900, operator: { username: "root", role: "admin", tenant: null } })
    const { payload, protectedHeader } = await jwtVerify(tokens.accessToken, await jwks(), { issuer: tokenIssuer, audience: tokenAudience, algorithms: ["EdDSA"] })
    expect(protectedHeader.alg).toBe("EdDSA")
    expect(typeof protectedHeader.kid).toBe("string")
    expect(Object.keys(payload).sort()).toEqual(["aud", "exp", "iat", "iss", "jti", "role", "sid", "sub", "tenant", "username"])
    expect(payload).toMatchObject({ sub: tokens.operator.id, username: "root", role: "admin", tenant: null })
    expect(payload.exp! - payload.iat!).toBe(900)
    expect(tokens.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(await (await me(tokens.accessToken)).json()).toEqual({ kind: "operator", operatorId: tokens.operator.id, username: "root", role: "admin", tenant: null })
  })

  test("the JWKS holds public keys only, and every process of the service signs with the stored key", async () => {
    const body = (await (await request(app, "GET", "/.well-known/jwks.json")).json()) as { keys: Array<Record<string, unknown>> }
    expect(body.keys).toHaveLength(1)
    expect(body.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" })
    expect(body.keys[0]).not.toHaveProperty("d")
    const second = useCasesRuntime(database.url, userUseCases({}, Layer.succeed(AuthSettings, settings)))
    try {
      const token = await second.runPromise(Effect.flatMap(Effect.service(SigningKeys), (k) => k.sign({ sub: "x", sid: "s", username: "x", role: "admin", tenant: null })))
      expect(decodeProtectedHeader(token).kid).toBe(body.keys[0]!.kid as string)
      await jwtVerify(token, await jwks(), { issuer: tokenIssuer, audience: tokenAudience })
    } finally {
      await second.dispose()
    }
  })

  test("a wrong password and an unknown username get the same generic 401, which never echoes the password", async () => {
    for (const [username, password] of [["root", "wrong-password-123"], ["nobody-here", "wrong-password-123"]] as const) {
      const response = await login(username, password)
      expect(response.status).toBe(401)
      const text = await response.text()
      expect(JSON.parse(text)).toMatchObject({ error: "Unauthorized", message: "invalid username or password" })
      expect(text).not.toContain(password)
    }
  })

  test("an unknown username costs a full password check, so probing by timing learns nothing", async () => {
    const time = async (username: string) => {
      const started = performance.now()
      expect((await login(username, "not-the-password-1")).status).toBe(401)
      return performance.now() - started
    }
    const known = Math.min(await time("root"), await time("root"))
    const unknown = Math.min(await time("ghost-1"), await time("ghost-2"))
    expect(unknown).toBeGreaterThan(known * 0.5)
  })

  test("an expired token and a token signed by another key are refused", async () => {
    const claims = { sub: crypto.randomUUID(), sid: crypto.randomUUID(), username: "root", role: "admin" as const, tenant: null }
    const expired = await runtime.runPromise(Effect.flatMap(Effect.service(SigningKeys), (k) => k.sign(claims, new Date(Date.now() - 20 * 60_000))))
    expect((await me(expired)).status).toBe(401)
    await expect(jwtVerify(expired, await jwks())).rejects.toThrow()
    const { kid } = decodeProtectedHeader(expired)
    const other = await generateKeyPair("EdDSA", { crv: "Ed25519" })
    const forged = await new SignJWT({ username: "root", role: "admin", tenant: null })
      .setProtectedHeader({ alg: "EdDSA", kid: kid! }).setSubject(claims.sub).setIssuer(tokenIssuer).setAudience(tokenAudience)
      .setIssuedAt().setExpirationTime("15m").setJti("x").sign(other.privateKey)
    expect((await me(forged)).status).toBe(401)
    expect((await request(app, "GET", "/auth/me")).status).toBe(401)
    expect(decodeJwt(forged).username).toBe("root")
  })

  test("refresh rotates the token; replaying a spent one revokes the whole family", async () => {
    const first = (await (await login("root", rootPassword)).json()) as Tokens
    const rotated = await request(app, "POST", "/auth/refresh", { refreshToken: first.refreshToken })
    expect(rotated.status).toBe(200)
    const second = (await rotated.json()) as Tokens
    expect(second.refreshToken).not.toBe(first.refreshToken)
    expect((await me(second.accessToken)).status).toBe(200)
    const replay = await request(app, "POST", "/auth/refresh", { refreshToken: first.refreshToken })
    expect(replay.status).toBe(401)
    expect(await replay.text()).not.toContain(first.refreshToken)
    // The thief's replay also ends the session the legitimate holder was using.
    expect((await request(app, "POST", "/auth/refresh", { refreshToken: second.refreshToken })).status).toBe(401)
    const other = (await (await login("root", rootPassword)).json()) as Tokens
    expect((await request(app, "POST", "/auth/refresh", { refreshToken: other.refreshToken })).status).toBe(200)
  })

  test("logout revokes the session, and unknown refresh tokens are refused", async () => {
    const tokens = (await (await login("root", rootPassword)).json()) as Tokens
    expect((await request(app, "POST", "/auth/logout", { refreshToken: tokens.refreshToken })).status).toBe(204)
    expect((await request(app, "POST", "/auth/refresh", { refreshToken: tokens.refreshToken })).status).toBe(401)
    expect((await request(app, "POST", "/auth/refresh", { refreshToken: "made-up" })).status).toBe(401)
    expect((await request(app, "POST", "/auth/refresh", { refreshToken: "x".repeat(201) })).status).toBe(422)
  })

  test("a logout racing a refresh of the same session leaves no token of it alive", async () => {
    const sql = postgres(database.url, { max: 1, onnotice: () => {} })
    try {
      for (let round = 0; round < 20; round++) {
        const tokens = (await (await login("root", rootPassword)).json()) as Tokens
        const sid = decodeJwt(tokens.accessToken).sid as string
        await Promise.all([
          request(app, "POST", "/auth/refresh", { refreshToken: tokens.refreshToken }),
          request(app, "POST", "/auth/logout", { refreshToken: tokens.refreshToken })
        ])
        const [live] = await sql`select count(*)::int as n from users.refresh_tokens where family_id = ${sid} and revoked_at is null`
        expect({ round, live: live!.n }).toEqual({ round, live: 0 })
      }
    } finally {
      await sql.end()
    }
  }, 30_000)

  test("a disabled operator can no longer log in or refresh", async () => {
    const root = (await (await login("root", rootPassword)).json()) as Tokens
    expect((await request(app, "POST", "/tenants", { id: "shop", name: "Shop" }, bearer(root.accessToken))).status).toBe(201)
    const created = await request(app, "POST", "/operators", { username: "clerk", password: "clerk-password-1", role: "tenant-viewer", tenant: "shop" }, bearer(root.accessToken))
    const clerk = (await created.json()) as { id: string }
    const session = (await (await login("clerk", "clerk-password-1")).json()) as Tokens
    expect((await request(app, "DELETE", `/operators/${clerk.id}`, undefined, bearer(root.accessToken))).status).toBe(204)
    expect((await login("clerk", "clerk-password-1")).status).toBe(401)
    expect((await request(app, "POST", "/auth/refresh", { refreshToken: session.refreshToken })).status).toBe(401)
    expect((await request(app, "DELETE", `/operators/${root.operator.id}`, undefined, bearer(root.accessToken))).status).toBe(422)
  })
})
