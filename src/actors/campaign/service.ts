import { randomUUID } from "node:crypto"
import { Clock, Context, Effect, Layer, Schema } from "effect"
import { Database } from "../../db/database.ts"
import type { DatabaseError } from "../../db/errors.ts"
import { type Forbidden, InvalidInput, NotFound } from "../../domain/errors.ts"
import { TenantDirectory } from "../../tenants/directory.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { findBudgetUsage } from "./counters/budget-repo.ts"
import { findPeriodCounts } from "./counters/period-repo.ts"
import { evaluation } from "./evaluation/use-case.ts"
import type { Campaign, CampaignInput, CampaignPatch, CampaignProgress, CampaignUpdate } from "./model.ts"
import { standing } from "./progress.ts"
import { findProgress } from "./progress-repo.ts"
import * as repo from "./repo.ts"
import { heldRevocationSummary } from "./revocations/held-repo.ts"
import { tenantRules } from "./rules-repo.ts"
import { ProgressAnswer } from "../fulfillment/progress/model.ts"
import { type Credential, peerClient } from "../../http/peer-client.ts"
import { holdingBack } from "./rules/holding-back.ts"
import { hasBudget, limitPeriod } from "./rules/limits.ts"

export interface Page {
  readonly limit: number
  readonly offset: number
}

// Postgres prints UUIDs in lower case; the actor's index compares them as text.
const lower = (ids: ReadonlyArray<string>) => ids.map((id) => id.toLowerCase())

// Kept to the millisecond, as event times are: a bound and an event compare the same everywhere.
const instant = (text: string | null | undefined) => (text == null ? null : new Date(Date.parse(text)).toISOString())

/** The values a creation or a replacement stores: what it leaves out takes its default. */
const valuesOf = (input: CampaignUpdate): repo.CampaignValues => ({
  name: input.name,
  fulfillments: lower(input.fulfillments),
  rewards: lower(input.rewards),
  status: input.status ?? "active",
  startsAt: instant(input.startsAt),
  endsAt: instant(input.endsAt),
  limits: input.limits ?? {}
})

/** The campaign's values with the patch's changes; `null` clears a bound or the limits. */
const patched = (current: Campaign, patch: CampaignPatch): repo.CampaignValues => ({
  name: patch.name ?? current.name,
  fulfillments: patch.fulfillments ? lower(patch.fulfillments) : current.fulfillments,
  rewards: patch.rewards ? lower(patch.rewards) : current.rewards,
  status: patch.status ?? current.status,
  startsAt: patch.startsAt === undefined ? current.startsAt : instant(patch.startsAt),
  endsAt: patch.endsAt === undefined ? current.endsAt : instant(patch.endsAt),
  limits: patch.limits === undefined ? current.limits : (patch.limits ?? {})
})

const make = Effect.gen(function*() {
  const db = yield* Database
  const tenants = yield* TenantDirectory

  const notFound = (id: string) => new NotFound({ resource: "campaign", id })

  const getCampaign = (scope: TenantScope, id: string) =>
    repo.findCampaign(db.sql, scope, id).pipe(
      Effect.flatMap((campaign) => (campaign ? Effect.succeed(campaign) : Effect.fail(notFound(id))))
    )

  const createCampaign = (scope: TenantScope, input: CampaignInput) =>
    tenants.writable(scope, input.tenant).pipe(
      Effect.andThen(repo.insertCampaign(db.sql, { id: randomUUID(), tenant: input.tenant, ...valuesOf(input) }))
    )

  const updateCampaign = (scope: TenantScope, id: string, update: CampaignUpdate) =>
    repo.updateCampaign(db.sql, scope, id, update.tenant, valuesOf(update)).pipe(
      Effect.flatMap((campaign) => {
        if (campaign) return Effect.succeed(campaign)
        // Nothing changed: the campaign is missing or another tenant's (told apart from neither), or the body named another tenant.
        return repo.findCampaign(db.sql, scope, id).pipe(
          Effect.flatMap((existing): Effect.Effect<never, InvalidInput | Forbidden | NotFound | DatabaseError> =>
            existing
              ? Effect.fail(new InvalidInput({ field: "tenant", reason: "a campaign's tenant cannot be changed" }))
              : Effect.fail(notFound(id))
          )
        )
      })
    )

  /** Changes only what the patch names, made of the campaign's values as locked: concurrent patches both take effect. */
  const patchCampaign = (scope: TenantScope, id: string, patch: CampaignPatch) =>
    db.transaction((tx) =>
      Effect.gen(function*() {
        const current = yield* repo.lockCampaign(tx, scope, id)
        if (!current) return yield* Effect.fail(notFound(id))
        if (patch.tenant !== undefined && patch.tenant !== current.tenant) {
          return yield* Effect.fail(new InvalidInput({ field: "tenant", reason: "a campaign's tenant cannot be changed" }))
        }
        const values = patched(current, patch)
        if (values.startsAt !== null && values.endsAt !== null && Date.parse(values.endsAt) <= Date.parse(values.startsAt)) {
          return yield* Effect.fail(new InvalidInput({ field: "endsAt", reason: `must be after startsAt (${values.startsAt})` }))
        }
        return (yield* repo.updateCampaign(tx, scope, id, undefined, values))!
      })
    )

  const askPeer = yield* peerClient
  const decodeGoals = Schema.decodeUnknownEffect(ProgressAnswer)

  /**
   * How far the user is with the missing fulfillments that are cumulative goals, asked of the
   * fulfillment service with the caller's credential; when it cannot answer, the progress says so
   * instead of failing.
   */
  const goalsOf = (tenant: string, userId: string, missing: ReadonlyArray<string>, credential: Credential) =>
    missing.length === 0
      ? Effect.succeed({ goals: [] })
      : askPeer("fulfillment", "GET", `/fulfillment-progress/${encodeURIComponent(userId)}?tenant=${encodeURIComponent(tenant)}&fulfillment_id=${missing.slice(0, 100).join(",")}`, credential).pipe(
        Effect.flatMap(decodeGoals),
        Effect.map((answer) => ({ goals: answer.fulfillments })),
        Effect.catch((error) =>
          Effect.logWarning("cumulative progress unavailable", error).pipe(
            Effect.as({ goals: [], unavailable: { rule: "goals-unavailable" as const, message: "how far the cumulative goals are cannot be told right now" } })
          )
        )
      )

  /** Where the user stands, and what holds them back now (the status and the window judged on the current time). */
  const progress = (scope: TenantScope, id: string, userId: string, credential: Credential) =>
    Effect.gen(function*() {
      const campaign = yield* getCampaign(scope, id)
      const rules = (yield* tenantRules(db.sql, campaign.tenant)).find((c) => c.rules.id === campaign.id)?.rules
      if (!rules) return yield* Effect.fail(notFound(id))
      const stored = yield* findProgress(db.sql, campaign.tenant, userId, campaign.id)
      const now = yield* Clock.currentTimeMillis
      const key = { tenant: campaign.tenant, userId, campaignId: campaign.id }
      const span = limitPeriod(rules.limits, now, rules.timeZone ?? "UTC")
      const periods = span ? yield* findPeriodCounts(db.sql, [{ key, period: span.key }]) : new Map<string, number>()
      const budgets = hasBudget(rules.limits) ? yield* findBudgetUsage(db.sql, campaign.tenant, [campaign.id]) : new Map()
      const standingNow = standing(campaign.fulfillments, stored)
      const goals = yield* goalsOf(campaign.tenant, userId, standingNow.missing, credential)
      const reasons = [...holdingBack(rules, key, stored, now, { periods, budgets }), ...("unavailable" in goals ? [goals.unavailable] : [])]
      return {
        campaignId: campaign.id,
        tenant: campaign.tenant,
        userId,
        ...standingNow,
        ...(reasons.length > 0 && { reasons }),
        ...(goals.goals.length > 0 && { goals: goals.goals })
      } satisfies CampaignProgress
    })

  return {
    createCampaign,
    getCampaign,
    listCampaigns: (scope: TenantScope, page: Page) =>
      repo.listCampaigns(db.sql, scope, page).pipe(Effect.map((campaigns) => ({ campaigns }))),
    updateCampaign,
    patchCampaign,
    deleteCampaign: (scope: TenantScope, id: string) =>
      repo.deleteCampaign(db.sql, scope, id).pipe(
        Effect.flatMap((deleted) => (deleted ? Effect.void : Effect.fail(notFound(id))))
      ),
    progress,
    evaluate: evaluation(db.sql, tenants),
    heldRevocations: (scope: TenantScope) => heldRevocationSummary(db.sql, scope).pipe(Effect.map((counts) => ({ tenants: counts })))
  }
})

/** The campaign service's use cases behind its HTTP routes (the actor moves progress through progress.ts). */
export class CampaignUseCases extends Context.Service<CampaignUseCases, Effect.Success<typeof make>>()("loyaltea/campaign/CampaignUseCases") {
  static readonly layer = Layer.effect(CampaignUseCases, make)
}
