import { randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { Database } from "../../db/database.ts"
import type { DatabaseError } from "../../db/errors.ts"
import { type Forbidden, InvalidInput, NotFound } from "../../domain/errors.ts"
import { TenantDirectory } from "../../tenants/directory.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import type { CampaignInput, CampaignProgress, CampaignUpdate } from "./model.ts"
import { standing } from "./progress.ts"
import { findProgress } from "./progress-repo.ts"
import * as repo from "./repo.ts"

export interface Page {
  readonly limit: number
  readonly offset: number
}

// Postgres prints UUIDs in lower case; the actor's index compares them as text.
const lower = (ids: ReadonlyArray<string>) => ids.map((id) => id.toLowerCase())

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
      Effect.andThen(repo.insertCampaign(db.sql, {
        id: randomUUID(),
        tenant: input.tenant,
        name: input.name,
        fulfillments: lower(input.fulfillments),
        rewards: lower(input.rewards)
      }))
    )

  const updateCampaign = (scope: TenantScope, id: string, update: CampaignUpdate) =>
    repo.updateCampaign(db.sql, scope, id, {
      tenant: update.tenant,
      name: update.name,
      fulfillments: lower(update.fulfillments),
      rewards: lower(update.rewards)
    }).pipe(
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

  const progress = (scope: TenantScope, id: string, userId: string) =>
    Effect.gen(function*() {
      const campaign = yield* getCampaign(scope, id)
      const stored = yield* findProgress(db.sql, campaign.tenant, userId, campaign.id)
      return { campaignId: campaign.id, tenant: campaign.tenant, userId, ...standing(campaign.fulfillments, stored) } satisfies CampaignProgress
    })

  return {
    createCampaign,
    getCampaign,
    listCampaigns: (scope: TenantScope, page: Page) =>
      repo.listCampaigns(db.sql, scope, page).pipe(Effect.map((campaigns) => ({ campaigns }))),
    updateCampaign,
    deleteCampaign: (scope: TenantScope, id: string) =>
      repo.deleteCampaign(db.sql, scope, id).pipe(
        Effect.flatMap((deleted) => (deleted ? Effect.void : Effect.fail(notFound(id))))
      ),
    progress
  }
})

/** The campaign service's use cases behind its HTTP routes (the actor moves progress through progress.ts). */
export class CampaignUseCases extends Context.Service<CampaignUseCases, Effect.Success<typeof make>>()("loyaltea/campaign/CampaignUseCases") {
  static readonly layer = Layer.effect(CampaignUseCases, make)
}
