import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { Authenticator, type CredentialChecks } from "../../src/auth/authenticator.ts"
import { Unauthorized, type VerifiedClaims } from "../../src/auth/principal.ts"
import { makeRevocationList, subjectOf } from "../../src/auth/revocations.ts"

const nowSeconds = () => Math.floor(Date.now() / 1000)
const claimsFor = (token: string, exp: number): VerifiedClaims => ({ sub: `op-${token}`, sid: `sid-${token}`, username: "ada", role: "tenant-admin", tenant: null, iat: nowSeconds() - 10, exp })

describe("verified access tokens", () => {
  const setUp = (expiry: (token: string) => number) => {
    const verified: Array<string> = []
    const checks: CredentialChecks = {
      verifyToken: (token) =>
        Effect.suspend(() => {
          verified.push(token)
          const exp = expiry(token)
          return exp * 1000 > Date.now() ? Effect.succeed(claimsFor(token, exp)) : Effect.fail(new Unauthorized({ reason: "expired" }))
        }),
      verifyMemberToken: () => Effect.fail(new Unauthorized({ reason: "no member tokens here" })),
      verifyApiKey: () => Effect.fail(new Unauthorized({ reason: "no keys here" }))
    }
    const revocations = makeRevocationList({ staleAfterMs: 60_000 })
    const authenticator = Authenticator.make(checks, revocations)
    const authenticate = (token: string) =>
      Effect.runPromise(authenticator.authenticate({ kind: "bearer", token }).pipe(Effect.match({ onFailure: (e) => e._tag, onSuccess: (p) => p.kind })))
    const known = (token: string) => authenticator.known({ kind: "bearer", token })?.kind
    return { verified, revocations, authenticate, known }
  }

  test("a token's signature is verified once, then its claims are reused while it has not expired", async () => {
    const { verified, authenticate } = setUp(() => nowSeconds() + 900)
    expect(await authenticate("a")).toBe("operator")
    expect(await authenticate("a")).toBe("operator")
    expect(await authenticate("b")).toBe("operator")
    expect(verified).toEqual(["a", "b"])
  })

  test("a revoked token is refused even though its claims were verified before", async () => {
    const { authenticate, revocations } = setUp(() => nowSeconds() + 900)
    expect(await authenticate("a")).toBe("operator")
    await Effect.runPromise(revocations.add([{ kind: "session", subject: subjectOf("sid-a"), notAfter: nowSeconds(), expiresAt: Date.now() + 60_000 }]))
    expect(await authenticate("a")).toBe("Unauthorized")
  })

  test("an expired token is verified again, and refused", async () => {
    let exp = nowSeconds() + 1
    const { verified, authenticate } = setUp(() => exp)
    expect(await authenticate("a")).toBe("operator")
    await Bun.sleep(1100)
    exp = nowSeconds() - 1
    expect(await authenticate("a")).toBe("Unauthorized")
    expect(verified).toEqual(["a", "a"])
  })

  test("a token let through before is known without a check until it is revoked or expires; an unknown one never is", async () => {
    let exp = nowSeconds() + 2
    const { authenticate, known, revocations } = setUp((token) => (token === "short" ? exp : nowSeconds() + 900))
    expect(known("a")).toBeUndefined()
    expect(await authenticate("a")).toBe("operator")
    expect(known("a")).toBe("operator")
    expect(known("b")).toBeUndefined()
    await Effect.runPromise(revocations.add([{ kind: "session", subject: subjectOf("sid-a"), notAfter: nowSeconds(), expiresAt: Date.now() + 60_000 }]))
    expect(known("a")).toBeUndefined()
    expect(await authenticate("a")).toBe("Unauthorized")
    expect(await authenticate("short")).toBe("operator")
    expect(known("short")).toBe("operator")
    await Bun.sleep(2100)
    exp = nowSeconds() - 1
    expect(known("short")).toBeUndefined()
    // A refused token is never remembered as passed.
    expect(await authenticate("short")).toBe("Unauthorized")
    expect(known("short")).toBeUndefined()
  })
})
