import { Schema } from "effect"
import { Label, Tenant, Uuid } from "../../domain/primitives.ts"

const maxIds = 1000

/**
 * Reports each repeated id at its own position (`fulfillments[2]`), so the 422 points at the item
 * to remove. UUIDs are compared without case, as Postgres does.
 */
const noDuplicates = Schema.makeFilter<ReadonlyArray<string>>(
  (ids) => {
    const firstAt = new Map<string, number>()
    const issues: Array<Schema.FilterIssue> = []
    ids.forEach((id, index) => {
      const first = firstAt.get(id.toLowerCase())
      if (first === undefined) firstAt.set(id.toLowerCase(), index)
      else issues.push({ path: [index], issue: `repeats item ${first}` })
    })
    return issues
  },
  { expected: "ids without repeats", toJsonSchema: () => ({ uniqueItems: true }) }
)

/** A set of another service's ids: checked for form and uniqueness only, never looked up. */
const IdSet = (what: string) =>
  Schema.Array(Uuid).check(
    Schema.isMinLength(1, { message: "must not be empty" }),
    Schema.isMaxLength(maxIds, { message: `must have at most ${maxIds} ids` }),
    noDuplicates
  ).annotate({ description: `The ${what} ids (UUIDs, no repeats, at least one)` })

export const CampaignName = Label(200)

/** The original contract: `{tenant, name, fulfillments, rewards}`. */
export const CampaignInput = Schema.Struct({
  tenant: Tenant,
  name: CampaignName,
  fulfillments: IdSet("fulfillment"),
  rewards: IdSet("reward")
}).annotate({ identifier: "CampaignInput" })
export type CampaignInput = typeof CampaignInput.Type

/** A campaign's tenant never changes; naming it is allowed only if it is the same tenant. */
export const CampaignUpdate = Schema.Struct({
  tenant: Schema.optionalKey(Tenant.annotate({ description: "Optional; must be the campaign's own tenant" })),
  name: CampaignName,
  fulfillments: IdSet("fulfillment"),
  rewards: IdSet("reward")
}).annotate({ identifier: "CampaignUpdate" })
export type CampaignUpdate = typeof CampaignUpdate.Type

export const Campaign = Schema.Struct({
  id: Schema.String,
  tenant: Schema.String,
  name: Schema.String,
  fulfillments: Schema.Array(Schema.String),
  rewards: Schema.Array(Schema.String),
  createdAt: Schema.String,
  updatedAt: Schema.String
}).annotate({ identifier: "Campaign" })
export type Campaign = typeof Campaign.Type

export const CampaignList = Schema.Struct({
  campaigns: Schema.Array(Campaign)
}).annotate({ identifier: "CampaignList" })
export type CampaignList = typeof CampaignList.Type

/** Where one user stands in one campaign; `completions` counts the rounds finished so far. */
export const CampaignProgress = Schema.Struct({
  campaignId: Schema.String,
  tenant: Schema.String,
  userId: Schema.String,
  completed: Schema.Array(Schema.String),
  missing: Schema.Array(Schema.String),
  completions: Schema.Number
}).annotate({ identifier: "CampaignProgress" })
export type CampaignProgress = typeof CampaignProgress.Type
