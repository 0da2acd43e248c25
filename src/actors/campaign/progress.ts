/**
 * The campaign rules, with no IO: how fulfillments move users through campaigns. Ids are
 * lower-case UUID text throughout (as Postgres prints them), so set membership is plain equality.
 */

/** What the actor needs of a campaign. */
export interface CampaignRules {
  readonly id: string
  readonly tenant: string
  readonly fulfillments: ReadonlyArray<string>
  readonly rewards: ReadonlyArray<string>
}

/** One user's state in one campaign. */
export interface Progress {
  readonly completed: ReadonlyArray<string>
  readonly completions: number
}

export const noProgress: Progress = { completed: [], completions: 0 }

export interface Step {
  readonly progress: Progress
  readonly changed: boolean
  /** The fulfillment finished the campaign: its rewards are due and the progress started over. */
  readonly completedCampaign: boolean
}

/**
 * Set semantics: a fulfillment already done, or no (longer) part of the campaign, changes nothing.
 * Ids left in the set from an earlier version of the campaign neither count nor block completion.
 */
export const advance = (progress: Progress, campaign: CampaignRules, fulfillmentId: string): Step => {
  if (!campaign.fulfillments.includes(fulfillmentId) || progress.completed.includes(fulfillmentId)) {
    return { progress, changed: false, completedCampaign: false }
  }
  const completed = [...progress.completed, fulfillmentId]
  if (campaign.fulfillments.every((id) => completed.includes(id))) {
    return { progress: { completed: [], completions: progress.completions + 1 }, changed: true, completedCampaign: true }
  }
  return { progress: { completed, completions: progress.completions }, changed: true, completedCampaign: false }
}

/** One user completed one fulfillment (a decoded `fulfillment` event). */
export interface FulfillmentDone {
  readonly eventId: string
  readonly tenant: string
  readonly userId: string
  readonly fulfillmentId: string
}

export interface ProgressKey {
  readonly tenant: string
  readonly userId: string
  readonly campaignId: string
}

export const keyText = (key: ProgressKey) => JSON.stringify([key.tenant, key.userId, key.campaignId])

/** The campaigns of a tenant that contain a fulfillment. */
export type CampaignsOf = (tenant: string, fulfillmentId: string) => ReadonlyArray<CampaignRules>

/** Every (tenant, user, campaign) the events touch, once each, in a fixed order (rows are locked in it). */
export const touchedKeys = (events: ReadonlyArray<FulfillmentDone>, campaignsOf: CampaignsOf): Array<ProgressKey> => {
  const keys = new Map<string, ProgressKey>()
  for (const event of events) {
    for (const campaign of campaignsOf(event.tenant, event.fulfillmentId)) {
      const key = { tenant: event.tenant, userId: event.userId, campaignId: campaign.id }
      keys.set(keyText(key), key)
    }
  }
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  return [...keys.values()].sort((a, b) => order(a.tenant, b.tenant) || order(a.userId, b.userId) || order(a.campaignId, b.campaignId))
}

export interface Completion {
  readonly cause: FulfillmentDone
  readonly campaign: CampaignRules
}

export interface BatchResult {
  /** The progress to write back: only keys whose state changed, with their final state. */
  readonly changed: ReadonlyArray<{ readonly key: ProgressKey; readonly progress: Progress }>
  /** Every completed campaign, in event order; one event may complete several campaigns. */
  readonly completions: ReadonlyArray<Completion>
}

/** Applies a batch in order; `stored` holds the progress read from the database (absent: none yet). */
export const applyFulfillments = (
  events: ReadonlyArray<FulfillmentDone>,
  campaignsOf: CampaignsOf,
  stored: ReadonlyMap<string, Progress>
): BatchResult => {
  const current = new Map(stored)
  const changed = new Map<string, { key: ProgressKey; progress: Progress }>()
  const completions: Array<Completion> = []
  for (const event of events) {
    for (const campaign of campaignsOf(event.tenant, event.fulfillmentId)) {
      const key = { tenant: event.tenant, userId: event.userId, campaignId: campaign.id }
      const text = keyText(key)
      const step = advance(current.get(text) ?? noProgress, campaign, event.fulfillmentId)
      if (!step.changed) continue
      current.set(text, step.progress)
      changed.set(text, { key, progress: step.progress })
      if (step.completedCampaign) completions.push({ cause: event, campaign })
    }
  }
  return { changed: [...changed.values()], completions }
}

/** What a user has done and still has to do, in the campaign's own order. */
export const standing = (fulfillments: ReadonlyArray<string>, progress: Progress) => ({
  completed: fulfillments.filter((id) => progress.completed.includes(id)),
  missing: fulfillments.filter((id) => !progress.completed.includes(id)),
  completions: progress.completions
})
