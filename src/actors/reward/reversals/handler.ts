import { Effect } from "effect"
import { RewardRevokedEvent } from "../../../events/reward.ts"
import { eventKey, Topics } from "../../../events/topics.ts"
import { deadLetterForEvent } from "../../../kafka/dead-letter.ts"
import { type Emitted, topicHandler } from "../../../kafka/topic-handler.ts"
import { lockAccounts, lotOf } from "../lots/account-repo.ts"
import { accountKey, creditLotKey, noChanges } from "../lots/model.ts"
import { notifyMessage } from "../lots/notify-message.ts"
import { saveAccounts } from "../lots/save-repo.ts"
import { programRulesOf } from "../program/repo.ts"
import { applyReversal, refusalOf } from "./apply.ts"
import { creditOwners, holdReversals } from "./held-repo.ts"

/**
 * `reward-revoked` → a `reversal` entry against the credit it names, or, when that credit has not
 * arrived yet (another topic), held until it does. One transaction for the batch.
 */
export const reversalHandler = topicHandler({
  topic: Topics.rewardRevoked,
  schema: RewardRevokedEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  occurredAtOf: (event) => event.occurredAt,
  handle: (tx, consumed) =>
    Effect.gen(function*() {
      const refusals = consumed.map((c) => refusalOf({ event: c.event, eventId: c.eventId, eventTime: c.eventTime }))
      const valid = consumed.filter((_, index) => refusals[index] === undefined)
      const programs = yield* programRulesOf(tx, valid.map((c) => c.tenant))
      const accounts = yield* lockAccounts(tx, valid.map((c) => ({
        tenant: c.tenant,
        userId: c.event.userId,
        tierSince: null,
        lotKeys: [creditLotKey(c.event.rewardEventId)]
      })))
      // A credit that is not in its user's account is another user's, or not there yet.
      const missing = valid.filter((c) => !lotOf(accounts.get(accountKey(c.tenant, c.event.userId))!, creditLotKey(c.event.rewardEventId)))
      const owners = yield* creditOwners(tx, missing.map((c) => ({ tenant: c.tenant, creditKey: creditLotKey(c.event.rewardEventId) })))
      const emitted: Array<Emitted> = []
      const held = []
      const entries = []
      for (const [index, c] of consumed.entries()) {
        const key = eventKey(c.tenant, c.event.userId)
        const refusal = refusals[index]
        if (refusal !== undefined) {
          emitted.push(deadLetterForEvent(Topics.rewardRevoked, c, key, refusal))
          continue
        }
        const account = accounts.get(accountKey(c.tenant, c.event.userId))!
        const reversal = { event: c.event, eventId: c.eventId, eventTime: c.eventTime }
        const lot = lotOf(account, creditLotKey(c.event.rewardEventId))
        if (!lot) {
          const owner = owners.get(`${c.tenant}\u0000${creditLotKey(c.event.rewardEventId)}`)
          if (owner !== undefined) emitted.push(deadLetterForEvent(Topics.rewardRevoked, c, key, `reward event ${c.event.rewardEventId} credited another user, not ${c.event.userId}`))
          else held.push({ ...reversal, creditKey: creditLotKey(c.event.rewardEventId) })
          continue
        }
        const changes = noChanges()
        applyReversal(changes, account, programs.get(c.tenant)!, lot, reversal)
        entries.push(...changes.entries)
        emitted.push(...changes.notifications.map((n) => ({ ...notifyMessage(n), cause: c.key })))
      }
      yield* holdReversals(tx, held)
      yield* saveAccounts(tx, [...accounts.values()], entries)
      return emitted
    })
})
