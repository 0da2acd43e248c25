import { Context, Effect, Layer, Schema } from "effect"

/**
 * Too many failed logins for a username or from an address. `retryAfterSeconds` becomes the
 * `Retry-After` header; the refusal holds even for the right password, or guessing would go on.
 */
export class TooManyRequests extends Schema.TaggedError<TooManyRequests>()("TooManyRequests", {
  retryAfterSeconds: Schema.Number
}) {
  override get message() {
    return `too many failed logins; retry in ${this.retryAfterSeconds} s`
  }
}

export interface ThrottleRule {
  readonly max: number
  readonly windowMs: number
}

export interface ThrottleOptions {
  /** Guessing one account's password. */
  readonly perUsername: ThrottleRule
  /** One client trying many accounts (password spraying). */
  readonly perAddress: ThrottleRule
  readonly now?: () => number
}

const fifteenMinutes = 15 * 60 * 1000
export const defaultThrottle: ThrottleOptions = {
  perUsername: { max: 5, windowMs: fifteenMinutes },
  perAddress: { max: 20, windowMs: fifteenMinutes }
}

// Beyond this many tracked keys, expired ones are swept so an attacker cycling names cannot grow memory forever.
const sweepAbove = 10_000

/** Failure times per key in a sliding window; only the last `max` matter, so no more are kept. */
const slidingWindow = (rule: ThrottleRule) => {
  const failures = new Map<string, Array<number>>()
  const live = (key: string, now: number) => {
    const times = (failures.get(key) ?? []).filter((t) => t > now - rule.windowMs)
    if (times.length === 0) failures.delete(key)
    else failures.set(key, times)
    return times
  }
  return {
    /** Milliseconds until the next attempt is allowed, 0 when it is allowed now. */
    waitMs: (key: string, now: number): number => {
      const times = live(key, now)
      return times.length < rule.max ? 0 : times[times.length - rule.max]! + rule.windowMs - now
    },
    record: (key: string, now: number) => {
      if (failures.size > sweepAbove) for (const k of [...failures.keys()]) live(k, now)
      failures.set(key, [...live(key, now), now].slice(-rule.max))
    },
    forget: (key: string, at: number) => {
      const times = failures.get(key) ?? []
      const index = times.lastIndexOf(at)
      if (index >= 0) failures.set(key, times.toSpliced(index, 1))
    },
    reset: (key: string) => void failures.delete(key)
  }
}

/** A login in progress, counted as a failure unless it is reported as a success. */
export interface Attempt {
  readonly username: string
  readonly address: string
  readonly at: number
}

const make = (options: ThrottleOptions) => {
  const byUsername = slidingWindow(options.perUsername)
  const byAddress = slidingWindow(options.perAddress)
  const now = options.now ?? Date.now
  return {
    /**
     * Refuses before the password is even checked, so a blocked guess teaches nothing. An allowed
     * attempt counts as a failure at once: a burst of concurrent guesses cannot all slip in while
     * the first ones are still being hashed.
     */
    attempt: (username: string, address: string): Effect.Effect<Attempt, TooManyRequests> =>
      Effect.suspend(() => {
        const at = now()
        const waitMs = Math.max(byUsername.waitMs(username, at), byAddress.waitMs(address, at))
        if (waitMs > 0) return Effect.fail(new TooManyRequests({ retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) }))
        byUsername.record(username, at)
        byAddress.record(address, at)
        return Effect.succeed({ username, address, at })
      }),
    /** The account's owner is back: its count restarts, and the address loses this one attempt. */
    succeeded: (attempt: Attempt): Effect.Effect<void> =>
      Effect.sync(() => {
        byUsername.reset(attempt.username)
        byAddress.forget(attempt.address, attempt.at)
      })
  }
}

/** In memory, per process: with several user-service processes each one allows the limits. */
export class LoginThrottle extends Context.Service<LoginThrottle, ReturnType<typeof make>>()("loyaltea/user/LoginThrottle") {
  static readonly layer = (options: ThrottleOptions = defaultThrottle) => Layer.sync(LoginThrottle, () => make(options))
}
