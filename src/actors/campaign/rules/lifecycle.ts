import type { CampaignStatus, WhyNot } from "./why-not.ts"

/** What decides whether a campaign counts an event at all. */
export interface Lifecycle {
  /** Absent: `active` (campaigns from before lifecycles). */
  readonly status?: CampaignStatus
  /** Event times counted are [startsAt, endsAt), in ms; absent or null: unbounded on that side. */
  readonly startsAt?: number | null
  readonly endsAt?: number | null
}

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * Why the campaign does not count an event of time `at` (empty: it counts). The status is the
 * campaign's now (when the batch is processed); the window is judged on the event's own time, so
 * a purchase made inside it counts however late it arrives. With no time, a window cannot be met.
 */
export const gateReasons = (campaign: Lifecycle, at: number | undefined): Array<WhyNot> => {
  const reasons: Array<WhyNot> = []
  const status = campaign.status ?? "active"
  if (status !== "active") reasons.push({ rule: "status", message: `the campaign is ${status}`, status })
  const { startsAt = null, endsAt = null } = campaign
  if (startsAt !== null && (at === undefined || at < startsAt)) {
    reasons.push({ rule: "window-not-started", message: `the campaign counts events from ${iso(startsAt)}`, startsAt: iso(startsAt) })
  }
  if (endsAt !== null && (at === undefined || at >= endsAt)) {
    reasons.push({ rule: "window-ended", message: `the campaign counted events until ${iso(endsAt)}`, endsAt: iso(endsAt) })
  }
  return reasons
}

/** `gateReasons(...).length === 0`, without building them: it runs for every event and campaign. */
export const counts = (campaign: Lifecycle, at: number | undefined): boolean => {
  if ((campaign.status ?? "active") !== "active") return false
  const { startsAt = null, endsAt = null } = campaign
  if (startsAt === null && endsAt === null) return true
  return at !== undefined && (startsAt === null || at >= startsAt) && (endsAt === null || at < endsAt)
}
