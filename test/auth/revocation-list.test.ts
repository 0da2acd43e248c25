import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { makeRevocationList, subjectOf } from "../../src/auth/revocations.ts"
import type { VerifiedClaims } from "../../src/auth/principal.ts"

const claims = (iat: number, overrides: Partial<VerifiedClaims> = {}): VerifiedClaims =>
  ({ sub: "operator-1", sid: "session-1", username: "ada", role: "tenant-admin", tenant: null, iat, exp: iat + 900, ...overrides })

const outcome = (list: ReturnType<typeof makeRevocationList>, token: VerifiedClaims) =>
  Effect.runPromise(list.check(token).pipe(Effect.match({ onFailure: (e) => e._tag, onSuccess: () => "ok" })))

describe("a process's revocation list", () => {
  test("refuses a session's tokens and an operator's tokens issued up to the revocation, and nothing else", async () => {
    let now = 1_000_000_000_000
    const list = makeRevocationList({ staleAfterMs: 60_000, now: () => now })
    await Effect.runPromise(list.add([
      { kind: "session", subject: subjectOf("session-1"), notAfter: 1_000_000_060, expiresAt: now + 1_000_000 },
      { kind: "operator", subject: subjectOf("operator-2"), notAfter: 1_000_000_060, expiresAt: now + 1_000_000 }
    ]))
    expect(await outcome(list, claims(1_000_000_000))).toBe("Unauthorized")
    expect(await outcome(list, claims(1_000_000_000, { sid: "session-2" }))).toBe("ok")
    expect(await outcome(list, claims(1_000_000_060, { sid: "session-2", sub: "operator-2" }))).toBe("Unauthorized")
    expect(await outcome(list, claims(1_000_000_061, { sid: "session-2", sub: "operator-2" }))).toBe("ok")
    // Past its expiry an entry covers nothing (every token it covered has expired), and pruning drops it.
    now += 1_000_001
    expect(await outcome(list, claims(1_000_000_000))).toBe("ok")
    expect(list.size()).toBe(2)
    await Effect.runPromise(list.prune)
    expect(list.size()).toBe(0)
  })

  test("a list that follows a source is untrusted until synced, and again once the last sync is too old", async () => {
    let now = 5_000
    const list = makeRevocationList({ staleAfterMs: 1_000, now: () => now })
    expect(await outcome(list, claims(1))).toBe("ok")
    await Effect.runPromise(list.requireSync)
    expect(await outcome(list, claims(1))).toBe("CredentialsUnavailable")
    await Effect.runPromise(list.synced(now))
    expect(await outcome(list, claims(1))).toBe("ok")
    now += 1_001
    expect(await outcome(list, claims(1))).toBe("CredentialsUnavailable")
    // What is known to be revoked stays a 401, however old the list.
    await Effect.runPromise(list.add([{ kind: "session", subject: subjectOf("session-1"), notAfter: 10, expiresAt: now + 60_000 }]))
    expect(await outcome(list, claims(1))).toBe("Unauthorized")
  })
})
