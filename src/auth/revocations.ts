import { createHash } from "node:crypto"
import { Context, Effect, Layer, Schema } from "effect"
import { AppConfig } from "../config/app-config.ts"
import { accessTokenTtlSeconds } from "./access-token.ts"
import { CredentialsUnavailable, Unauthorized, type VerifiedClaims } from "./principal.ts"

/**
 * Covers a login or a refresh that races the revocation (its token is signed a moment after the
 * revocation was stored), and clocks that differ a little between processes and the database.
 */
export const revocationMarginSeconds = 60
/** A revocation is kept as long as a token it covers can still be valid, then pruned. */
export const revocationLifetimeSeconds = accessTokenTtlSeconds + 2 * revocationMarginSeconds

export const RevocationKind = Schema.Literals(["session", "operator"])
export type RevocationKind = typeof RevocationKind.Type

/** The form in which a revoked session or operator is shared: a hash, so the list names nobody. */
export const subjectOf = (id: string): string => createHash("sha256").update(id).digest("hex")

export const Revocation = Schema.Struct({
  kind: RevocationKind.annotate({ description: "`session`: the tokens of one login (logout, a refresh token reused); `operator`: all of a disabled operator's tokens" }),
  subject: Schema.String.annotate({ description: "SHA-256 (hex) of the token's `sid` (session) or `sub` (operator)" }),
  notAfter: Schema.Int.annotate({ description: "Tokens of the subject issued (`iat`, seconds since the epoch) at or before this are revoked" }),
  expiresAt: Schema.Int.annotate({ description: "Milliseconds since the epoch after which no token it covers can still be valid" })
}).annotate({ identifier: "Revocation" })
export type Revocation = typeof Revocation.Type

/** Digits only: a position in the user service's revocation log (a PostgreSQL transaction id). */
export const RevocationCursor = Schema.String.check(Schema.isPattern(/^\d{1,19}$/, { message: "must be the cursor of an earlier answer" }))
  .annotate({ description: "The `cursor` of the previous answer; absent the first time", examples: ["7741"] })

export const RevocationFeed = Schema.Struct({
  revocations: Schema.Array(Revocation),
  cursor: RevocationCursor.annotate({ description: "Pass it as `after` next time: the next answer holds what was revoked since (and may repeat some)" }),
  more: Schema.Boolean.annotate({ description: "The answer was cut short: ask again at once" })
}).annotate({
  identifier: "RevocationFeed",
  examples: [{
    revocations: [{ kind: "session", subject: "4f0c1e6b0b8f5e1d9f2c4a7b3e6d8c1a2b5f7e9d0c3a6b8e1f4d7c0a9b2e5f8d", notAfter: 1767225660, expiresAt: 1767226620000 }],
    cursor: "7741",
    more: false
  }]
})
export type RevocationFeed = typeof RevocationFeed.Type

const live = (entry: Revocation | undefined, now: number): entry is Revocation => entry !== undefined && entry.expiresAt > now

/**
 * A process's copy of the revoked sessions and operators: checking a token is two map lookups
 * (none while the list is empty). A list that some source keeps current is trusted only until
 * `staleAfterMs` after its last successful update; a token checked later gets CredentialsUnavailable
 * (503), since a revocation may be missing. A list nobody else updates (one user-service process
 * with nothing to follow) is complete by construction.
 */
export const makeRevocationList = (options: { readonly staleAfterMs: number; readonly now?: () => number }) => {
  const now = options.now ?? Date.now
  const entries: Record<RevocationKind, Map<string, Revocation>> = { session: new Map(), operator: new Map() }
  let trustedUntil = Number.POSITIVE_INFINITY

  const revokedBy = (claims: VerifiedClaims, at: number): RevocationKind | undefined => {
    if (entries.session.size + entries.operator.size === 0) return undefined
    const session = entries.session.get(subjectOf(claims.sid))
    if (live(session, at) && claims.iat <= session.notAfter) return "session"
    const operator = entries.operator.get(subjectOf(claims.sub))
    if (live(operator, at) && claims.iat <= operator.notAfter) return "operator"
    return undefined
  }

  return {
    /** Adds revocations (an entry seen twice keeps the wider bounds). */
    add: (revocations: ReadonlyArray<Revocation>): Effect.Effect<void> =>
      Effect.sync(() => {
        for (const entry of revocations) {
          const known = entries[entry.kind].get(entry.subject)
          entries[entry.kind].set(entry.subject, known
            ? { ...entry, notAfter: Math.max(known.notAfter, entry.notAfter), expiresAt: Math.max(known.expiresAt, entry.expiresAt) }
            : entry)
        }
      }),
    /** Forgets revocations whose tokens have all expired. */
    prune: Effect.sync(() => {
      const at = now()
      for (const byKind of Object.values(entries)) for (const [subject, entry] of byKind) if (!live(entry, at)) byKind.delete(subject)
    }),
    /** From now on the list is only as current as its source: untrusted until `synced`. */
    requireSync: Effect.sync(() => void (trustedUntil = 0)),
    /** The list holds every revocation made before `at` (when the successful fetch started). */
    synced: (at: number): Effect.Effect<void> => Effect.sync(() => void (trustedUntil = at + options.staleAfterMs)),
    size: (): number => entries.session.size + entries.operator.size,
    /** Whether `check` would pass the token now, without an effect (the request fast path). */
    passes: (claims: VerifiedClaims): boolean => {
      const at = now()
      return revokedBy(claims, at) === undefined && at <= trustedUntil
    },
    /** 401 for a revoked token; 503 when the list may be missing revocations. */
    check: (claims: VerifiedClaims): Effect.Effect<void, Unauthorized | CredentialsUnavailable> =>
      Effect.suspend((): Effect.Effect<void, Unauthorized | CredentialsUnavailable> => {
        const at = now()
        const revoked = revokedBy(claims, at)
        if (revoked === "session") return Effect.fail(new Unauthorized({ reason: "the access token has been revoked: its session has ended" }))
        if (revoked === "operator") return Effect.fail(new Unauthorized({ reason: "the access token has been revoked: its operator was disabled" }))
        if (at > trustedUntil) return Effect.fail(new CredentialsUnavailable({ reason: "the revocation list could not be brought up to date recently enough" }))
        return Effect.void
      })
  }
}
export type RevocationList = ReturnType<typeof makeRevocationList>

/** The process's one revocation list: the authenticator reads it, the user service and the feed follower write it. */
export class Revocations extends Context.Service<Revocations, RevocationList>()("loyaltea/auth/Revocations") {
  static readonly layer = Layer.effect(
    Revocations,
    Effect.map(Effect.service(AppConfig), (config) => makeRevocationList({ staleAfterMs: config.auth.revocationMaxStalenessMs }))
  )
}
