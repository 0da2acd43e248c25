import { Effect } from "effect"
import { RewardEvent } from "../../events/reward.ts"
import { eventKey, Topics } from "../../events/topics.ts"
import { deadLetterForEvent } from "../../kafka/dead-letter.ts"
import { type Emitted, topicHandler } from "../../kafka/topic-handler.ts"
import { ruleKey, rulesOf } from "./credit-repo.ts"
import { creditDecision } from "./crediting.ts"
import { lockAccounts, lotOf } from "./lots/account-repo.ts"
import { accountKey, creditLotKey, noChanges } from "./lots/model.ts"
import { credit } from "./lots/movements.ts"
import { notifyMessage } from "./lots/notify-message.ts"
import { saveAccounts } from "./lots/save-repo.ts"
import { programRulesOf } from "./program/repo.ts"
import { applyReversal } from "./reversals/apply.ts"
import { releaseHeld } from "./reversals/held-repo.ts"
import { multiplierOf } from "./tiers/tiers.ts"

/**
 * `reward` → a credit per event that earns points: a lot (pending or spendable, with its expiry),
 * multiplied by the user's tier, and any reversal that arrived before it applied right after →
 * `reward-notify` for each movement. A reward the tenant does not have, or an event its rule cannot
 * be counted on, goes to the dead-letter topic with the reason; an event that earns 0 points
 * changes and emits nothing. One transaction and a fixed number of statements per batch.
 */
export const creditHandler = topicHandler({
  topic: Topics.reward,
  schema: RewardEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  occurredAtOf: (event) => event.occurredAt,
  handle: (tx, consumed) =>
    Effect.gen(function*() {
      const rules = yield* rulesOf(tx, consumed.map((c) => ({ tenant: c.event.tenant, rewardId: c.event.rewardId })))
      const decisions = consumed.map((c) => creditDecision(c.event, rules.get(ruleKey(c.event.tenant, c.event.rewardId))))
      const crediting = consumed.filter((_, index) => decisions[index]!.kind === "credit")
      const programs = yield* programRulesOf(tx, crediting.map((c) => c.tenant))
      // Each user's earliest credit in the batch: the tier window of every credit of theirs starts after it.
      const earliestOf = new Map<string, number>()
      for (const c of crediting) {
        const key = accountKey(c.tenant, c.event.userId)
        earliestOf.set(key, Math.min(earliestOf.get(key) ?? c.eventTime, c.eventTime))
      }
      const wanted = (c: (typeof crediting)[number], openLots: boolean) => {
        const windowMs = programs.get(c.tenant)!.tierWindowMs
        const earliest = earliestOf.get(accountKey(c.tenant, c.event.userId))!
        return { tenant: c.tenant, userId: c.event.userId, tierSince: windowMs === null ? null : earliest - windowMs, lotKeys: [], openLots }
      }
      // The accounts are locked before the held reversals are looked for: a reversal batch locks
      // them too before it holds a reversal, so either it sees this credit or this batch sees it.
      const locked = yield* lockAccounts(tx, crediting.map((c) => wanted(c, false)))
      const held = yield* releaseHeld(tx, crediting.map((c) => ({ tenant: c.tenant, userId: c.event.userId, creditKey: creditLotKey(c.eventId) })))
      // A reversal that waited for its credit may spend from the user's other lots: those accounts
      // are read again with their open lots (rare: only when a reversal came first).
      const withHeld = crediting.filter((c) => held.some((h) => h.tenant === c.tenant && h.held.event.userId === c.event.userId))
      const accounts = withHeld.length === 0 ? locked : new Map([...locked, ...(yield* lockAccounts(tx, withHeld.map((c) => wanted(c, true))))])
      const entries = []
      const emitted: Array<Emitted> = []
      for (const [index, c] of consumed.entries()) {
        const key = eventKey(c.event.tenant, c.event.userId)
        const decision = decisions[index]!
        if (decision.kind === "refused") emitted.push(deadLetterForEvent(Topics.reward, c, key, decision.reason))
        if (decision.kind !== "credit") continue
        const { event } = c
        const account = accounts.get(accountKey(c.tenant, event.userId))!
        const program = programs.get(c.tenant)!
        const changes = noChanges()
        const lotKey = creditLotKey(c.eventId)
        const lot = lotOf(account, lotKey) ?? credit(changes, account, program, decision.points, multiplierOf(account, program), {
          lotKey,
          eventId: c.eventId,
          occurredAt: c.eventTime,
          rewardId: event.rewardId,
          campaignId: event.campaignId,
          ...(event.causeEventId === undefined ? {} : { causeEventId: event.causeEventId }),
          basis: event.basis ?? null,
          orderIds: event.orderIds ?? null
        })
        if (lot) for (const reversal of held.filter((h) => h.tenant === c.tenant && h.credit_key === lotKey)) applyReversal(changes, account, program, lot, reversal.held)
        entries.push(...changes.entries)
        emitted.push(...changes.notifications.map((n) => ({ ...notifyMessage(n), cause: c.key })))
      }
      yield* saveAccounts(tx, [...accounts.values()], entries)
      return emitted
    })
})
