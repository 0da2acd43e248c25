import { Effect } from "effect"
import type { Sql } from "../../../db/database.ts"
import type { Emitted } from "../../../kafka/topic-handler.ts"
import { keepForRunningJobs } from "../backfill/refunds-repo.ts"
import { CampaignIndex } from "../campaign-index.ts"
import { compareKeys, keyText, type ProgressKey } from "../progress.ts"
import { lockProgress, saveProgress } from "../progress-repo.ts"
import { giveBack } from "./givebacks-repo.ts"
import { holdRevocations, lockUsers } from "./held-repo.ts"
import { applyRevocations, eventRef, type Revocation } from "./revoke.ts"
import { type CompletedRound, roundKeyText } from "./round.ts"
import { handledFulfillments, lockRoundsOf, saveRounds } from "./rounds-repo.ts"

/**
 * Applies revocations inside a batch's transaction: locks the users, then the rounds that counted
 * the revoked events and the progress they touch (in the fulfillment batches' order: progress,
 * periods, budgets), applies them, writes what changed and holds those whose fulfillment event has
 * not been handled yet. Each is also kept for the backfills running in its tenant, which judge the
 * purchases they have not reached yet with it. A fixed number of statements, however many revocations.
 */
export const applyRevocationsIn = (tx: Sql, revocations: ReadonlyArray<Revocation>) =>
  Effect.gen(function*() {
    if (revocations.length === 0) return [] as ReadonlyArray<Emitted>
    yield* lockUsers(tx, revocations.map((r) => r.event))
    yield* keepForRunningJobs(tx, revocations)
    const index = yield* CampaignIndex
    const campaignsOf = yield* index.campaignsOf(tx, revocations.map((r) => r.event.tenant))
    const refs = [...new Map(revocations.map((r) => [eventRef(r.event.tenant, r.event.fulfillmentEventId), { tenant: r.event.tenant, eventId: r.event.fulfillmentEventId }])).values()]
    const found = yield* lockRoundsOf(tx, refs)
    const rounds = new Map<string, CompletedRound>()
    const roundsOf = new Map<string, Array<string>>()
    for (const { eventId, round } of found) {
      const text = roundKeyText(round)
      rounds.set(text, round)
      const ref = eventRef(round.tenant, eventId)
      roundsOf.set(ref, [...(roundsOf.get(ref) ?? []), text])
    }
    const keys = new Map<string, ProgressKey>()
    for (const { event } of revocations) {
      for (const campaign of campaignsOf(event.tenant, event.fulfillmentId.toLowerCase())) {
        const key = { tenant: event.tenant, userId: event.userId, campaignId: campaign.id }
        keys.set(keyText(key), key)
      }
    }
    for (const round of rounds.values()) {
      const key = { tenant: round.tenant, userId: round.userId, campaignId: round.campaignId }
      keys.set(keyText(key), key)
    }
    const progress = new Map(yield* lockProgress(tx, [...keys.values()].sort(compareKeys)))
    const handled = yield* handledFulfillments(tx, refs.filter((r) => !roundsOf.has(eventRef(r.tenant, r.eventId))))
    const outcome = applyRevocations(revocations, { campaignsOf, progress, rounds, roundsOf, handled })
    yield* saveProgress(tx, [...outcome.changedProgress.values()])
    yield* giveBack(tx, outcome.givebacks)
    yield* saveRounds(tx, [...outcome.changedRounds].map((text) => rounds.get(text)!))
    yield* holdRevocations(tx, outcome.held)
    if (outcome.held.length > 0) {
      yield* Effect.logInfo(`holding ${outcome.held.length} fulfillment revocation(s) until their fulfillment event is handled: ${outcome.held.map((h) => `${h.event.tenant}/${h.event.fulfillmentEventId}`).join(", ")}`)
    }
    return outcome.emitted as ReadonlyArray<Emitted>
  })
