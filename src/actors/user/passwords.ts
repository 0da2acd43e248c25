import { randomBytes } from "node:crypto"
import { Effect } from "effect"

const argon2id = { algorithm: "argon2id" } as const

export const hashPassword = (password: string): Effect.Effect<string> => Effect.promise(() => Bun.password.hash(password, argon2id))

// A hash of a password nobody knows: verifying against it costs what a real check costs.
let dummyHash: Promise<string> | undefined
const dummy = () => (dummyHash ??= Bun.password.hash(randomBytes(32).toString("base64url"), argon2id))

/** Prepares the stand-in hash before the first login, so that login does not pay for it. */
export const warmPasswordCheck: Effect.Effect<void> = Effect.promise(dummy).pipe(Effect.asVoid)

/**
 * Whether `password` matches `hash`. Without a hash (no such user) it still runs a full argon2id
 * verification, so a probe cannot tell unknown usernames from wrong passwords by the time taken.
 */
export const checkPassword = (password: string, hash: string | undefined): Effect.Effect<boolean> =>
  Effect.promise(async () => {
    const against = hash ?? (await dummy())
    // A malformed stored hash is a refusal, not a crash.
    const matches = await Bun.password.verify(password, against).catch(() => false)
    return matches && hash !== undefined
  })

/** A generated password for the first admin: 24 random bytes, 32 characters, within the policy. */
export const generatePassword = (): string => randomBytes(24).toString("base64url")
