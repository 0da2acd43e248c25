import { randomUUID } from "node:crypto"
import { Clock, Context, Effect, Layer, Option } from "effect"
import { Database, type Sql } from "../../db/database.ts"
import { AlreadyExists, NotFound } from "../../domain/errors.ts"
import { TenantDirectory } from "../../tenants/directory.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { definitionEvent } from "../../events/reward-definition-rule.ts"
import { Topics } from "../../events/topics.ts"
import { appendOutbox } from "../../kafka/outbox.ts"
import { EventProducer, type OutgoingMessage } from "../../kafka/producer.ts"
import { publishCommitted } from "../../kafka/publish-committed.ts"
import { ruleOfFields } from "./earning-fields.ts"
import { ledgerPage } from "./ledger-repo.ts"
import { IdempotencyKeyReused, InsufficientBalance, type RedemptionRequest, type RewardInput, type RewardUpdate } from "./model.ts"
import { withinMemberLimits } from "./member-redemption.ts"
import { claimIdempotencyKey, findRedemptionByKey, recordRedemption } from "./redemption-repo.ts"
import * as D from "../../domain/decimal.ts"
import { changeAccount } from "./lots/account-change.ts"
import type { Actor, EntryKind } from "./lots/model.ts"
import { redeem as redeemPoints } from "./lots/movements.ts"
import * as repo from "./repo.ts"
import type { StoredReward } from "./reward-row.ts"

export interface Page {
  readonly limit: number
  readonly offset: number
}

/** A reward's rule as the campaign service learns it, keyed by the reward so its versions stay in order. */
const definitionMessage = (reward: StoredReward, deleted: boolean): OutgoingMessage => ({
  topic: Topics.rewardDefinition,
  key: reward.rewardId,
  value: JSON.stringify(definitionEvent(reward, deleted))
})

const make = Effect.gen(function*() {
  const db = yield* Database
  const tenants = yield* TenantDirectory
  const producer = yield* EventProducer

  const notFound = (id: string) => new NotFound({ resource: "reward", id })

  /**
   * The change and its `reward-definition` event commit together (the event through the outbox);
   * the event is published before the answer, so a campaign counting with the reward soon has it.
   */
  const changed = <E>(write: (tx: Sql) => Effect.Effect<StoredReward | undefined, E>, id: string, deleted = false) =>
    db.transaction((tx) =>
      Effect.gen(function*() {
        const reward = yield* write(tx)
        if (!reward) return yield* notFound(id)
        const message = definitionMessage(reward, deleted)
        return { reward, message, outboxId: yield* appendOutbox(tx, "reward", [message]) }
      })
    ).pipe(
      Effect.tap(({ message, outboxId }) => publishCommitted(db, producer, "reward", outboxId, [message])),
      Effect.map(({ reward }) => reward.answer)
    )

  const createReward = (scope: TenantScope, input: RewardInput) => {
    const id = input.reward_id ?? randomUUID()
    return tenants.writable(scope, input.tenant).pipe(
      Effect.andThen(changed((tx) => repo.insertReward(tx, { id, tenant: input.tenant, rule: ruleOfFields(input), name: input.name ?? null }), id)),
      Effect.catchTag("UniqueViolation", () => Effect.fail(new AlreadyExists({ resource: "reward", id: input.reward_id ?? "" })))
    )
  }

  const getReward = (scope: TenantScope, id: string) =>
    repo.findReward(db.sql, scope, id).pipe(
      Effect.flatMap((reward) => (reward ? Effect.succeed(reward.answer) : Effect.fail(notFound(id))))
    )

  const redeem = (scope: TenantScope, userId: string, request: RedemptionRequest, actor: Actor | null = null) =>
    tenants.writable(scope, request.tenant).pipe(
      Effect.andThen(Clock.currentTimeMillis),
      Effect.flatMap((now) => db.transaction((tx) =>
        Effect.gen(function*() {
          const id = randomUUID()
          const byMember = actor?.kind === "member"
          const claimed = yield* claimIdempotencyKey(tx, { id, tenant: request.tenant, userId, idempotencyKey: request.idempotencyKey, points: request.points, reason: request.reason, byMember })
          if (!claimed) return { replayed: true as const, key: request.idempotencyKey }
          const points = D.fromNumber(request.points)
          const changed = yield* changeAccount(tx, { tenant: request.tenant, userId, now }, (changes, account, rules) =>
            // A member is held to the program's limits (operators and API keys are not), judged with the account locked.
            (byMember ? withinMemberLimits(tx, rules, { tenant: request.tenant, userId, id, points: request.points, now }) : Effect.void).pipe(
              Effect.andThen(D.compare(account.points, points) < 0
                ? Effect.fail(new InsufficientBalance({ tenant: request.tenant, userId, balance: D.toNumber(account.points), requested: request.points }))
                : Effect.sync(() => redeemPoints(changes, account, points, { redemptionId: id, reason: request.reason, idempotencyKey: request.idempotencyKey, actor })))
            ))
          const redemption = yield* recordRedemption(tx, { id, balance: D.toText(changed.account.points) })
          return { replayed: false as const, redemption, messages: changed.messages, outboxId: changed.outboxId }
        })
      )),
      Effect.tap((outcome) => (outcome.replayed ? Effect.void : publishCommitted(db, producer, "reward", outcome.outboxId, outcome.messages))),
      // The key was taken: the earlier redemption is the answer, if it is the same request.
      Effect.flatMap((outcome) =>
        outcome.replayed
          ? findRedemptionByKey(db.sql, request.tenant, request.idempotencyKey).pipe(
            Effect.flatMap((previous) =>
              previous && previous.userId === userId && previous.points === request.points && previous.reason === request.reason
                ? Effect.succeed({ redemption: previous, replayed: true })
                : Effect.fail(new IdempotencyKeyReused({ idempotencyKey: request.idempotencyKey }))
            )
          )
          : Effect.succeed({ redemption: outcome.redemption, replayed: false })
      )
    )

  return {
    createReward,
    getReward,
    listRewards: (scope: TenantScope, page: Page) =>
      repo.listRewards(db.sql, scope, page).pipe(Effect.map((rewards) => rewards.map((reward) => reward.answer))),
    updateReward: (scope: TenantScope, id: string, update: RewardUpdate) =>
      changed((tx) => repo.updateReward(tx, scope, id, { rule: ruleOfFields(update), name: update.name }), id),
    deleteReward: (scope: TenantScope, id: string) =>
      changed((tx) => repo.deleteReward(tx, scope, id), id, true).pipe(Effect.asVoid),
    listBalances: (scope: TenantScope, userId: string | undefined, page: Page) => repo.listBalances(db.sql, scope, userId, page),
    balance: (tenant: string, userId: string) =>
      repo.balanceOf(db.sql, tenant, userId).pipe(Effect.map((points) => ({ tenant, user_id: userId, points }))),
    ledger: (tenant: string, userId: string, page: { limit: number; before: string | undefined; kind?: EntryKind | undefined }) =>
      Effect.all([ledgerPage(db.sql, tenant, userId, page), repo.balanceOf(db.sql, tenant, userId)]).pipe(
        Effect.map(([entries, balance]) => ({
          tenant,
          userId,
          balance,
          entries,
          nextBefore: entries.length === page.limit ? Option.getOrNull(Option.fromNullishOr(entries[entries.length - 1]?.id)) : null
        }))
      ),
    redeem
  }
})

/** The reward service's use cases, shared by its HTTP routes and its actor. */
export class RewardUseCases extends Context.Service<RewardUseCases, Effect.Success<typeof make>>()("loyaltea/reward/RewardUseCases") {
  static readonly layer = Layer.effect(RewardUseCases, make)
}
