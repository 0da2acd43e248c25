import { Cause, Effect } from "effect"
import { AppConfig } from "../../../config/app-config.ts"
import type { WebhookSettings } from "../../../config/webhook-settings.ts"
import { Database } from "../../../db/database.ts"
import { periodicJob } from "../../../platform/periodic-job.ts"
import { retryDelayMs } from "./backoff.ts"
import { type LeasedDelivery, leaseDue, recordAttempt } from "./outbox-repo.ts"
import { type Outcome, sendDelivery } from "./send.ts"
import type { Resolve } from "./target.ts"

const leaseBatch = 50
const concurrency = 8

export interface RelayOptions {
  /** The relay's clock (ms since the epoch): retries, leases and giving up are judged on it. */
  readonly now?: () => number
  /** The jitter's source, in [0, 1). */
  readonly random?: () => number
  readonly resolve?: Resolve
  readonly settings?: Partial<WebhookSettings>
}

/** Longer than any request may take, so a live relay's lease never ends under it. */
export const leaseMsFor = (settings: WebhookSettings) => settings.timeoutMs * 2 + 5000

/**
 * Delivers the webhook outbox at least once: leases due deliveries, POSTs each one signed (no
 * transaction open meanwhile), and records the attempt. A failure is retried with exponential
 * backoff and jitter until `retryFor` after the first attempt has passed, then the delivery is
 * marked failed; an endpoint failing for long enough is disabled. A relay that dies mid-request
 * leaves its rows leased: they are sent again once the lease ends, with the same event id.
 */
export const startWebhookRelay = (options: RelayOptions = {}) =>
  Effect.gen(function*() {
    const db = yield* Database
    const settings: WebhookSettings = { ...(yield* AppConfig).webhooks, ...options.settings }
    const now = options.now ?? Date.now
    const leaseMs = leaseMsFor(settings)

    const record = (delivery: LeasedDelivery, attemptAt: number, outcome: Outcome) => {
      const attempt = delivery.attempts + 1
      const retryUntil = delivery.retryUntil?.getTime() ?? attemptAt + settings.retryForMs
      const finishedAt = attemptAt + outcome.latencyMs
      const windowAttempt = delivery.windowAttempts + 1
      const retryAt = finishedAt + retryDelayMs(windowAttempt, settings.backoffBaseMs, settings.backoffMaxMs, options.random)
      const nextAttemptAt = outcome.ok || retryAt > retryUntil ? null : retryAt
      return db.transaction((tx) =>
        recordAttempt(tx, {
          deliveryId: delivery.id,
          leasedUntil: delivery.leasedUntil,
          tenant: delivery.tenant,
          endpointId: delivery.endpointId,
          attempt,
          windowAttempt,
          at: attemptAt,
          ok: outcome.ok,
          status: outcome.status,
          error: outcome.error,
          latencyMs: outcome.latencyMs,
          excerpt: outcome.excerpt,
          nextAttemptAt,
          retryUntil
        }, settings)
      ).pipe(
        Effect.tap((recorded) =>
          recorded === "disabled"
            ? Effect.logWarning(`webhook ${delivery.endpointId} of tenant ${delivery.tenant} disabled after sustained failure`)
            : recorded === "lost"
            ? Effect.logInfo(`webhook delivery ${delivery.id}: its lease ended before the attempt was recorded; the attempt is not recorded`)
            : Effect.void
        ),
        Effect.tap((recorded) =>
          recorded !== "lost" && !outcome.ok && nextAttemptAt === null
            ? Effect.logWarning(`webhook delivery ${delivery.id} (event ${delivery.eventId}) to ${delivery.endpointId} failed for good after ${attempt} attempts`)
            : Effect.void
        )
      )
    }

    const deliver = (delivery: LeasedDelivery) =>
      Effect.gen(function*() {
        const attemptAt = now()
        const outcome = yield* Effect.promise(() =>
          sendDelivery({
            url: delivery.url,
            deliveryId: delivery.id,
            eventId: delivery.eventId,
            eventType: delivery.eventType,
            body: delivery.payload,
            secrets: delivery.secrets,
            unixSeconds: Math.floor(attemptAt / 1000)
          }, { timeoutMs: settings.timeoutMs, allowPrivate: settings.allowPrivate, resolve: options.resolve })
        )
        yield* record(delivery, attemptAt, outcome)
      }).pipe(
        // Not recorded (the database is away, the endpoint was deleted meanwhile): the lease runs
        // out and the delivery is sent again, with the same event id; the others go on.
        Effect.catchCause((cause) => Cause.hasInterruptsOnly(cause) ? Effect.failCause(cause) : Effect.logWarning(`webhook delivery ${delivery.id}: the attempt could not be recorded; it is sent again after its lease`, cause))
      )

    // Until nothing is due: a member's next delivery becomes due as soon as the previous one is recorded.
    const drain: Effect.Effect<void, unknown> = Effect.gen(function*() {
      const due = yield* leaseDue(db.sql, now(), leaseMs, leaseBatch)
      if (due.length === 0) return
      yield* Effect.forEach(due, deliver, { concurrency, discard: true })
      yield* drain
    })

    yield* periodicJob("webhook relay", `${settings.pollMs} millis`, drain)
  })
