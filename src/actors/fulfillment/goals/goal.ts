import type { Period } from "../../../domain/calendar.ts"
import type { Decimal } from "../../../domain/decimal.ts"

/** Where qualifying events must lie to count together: a rolling window, or a calendar period of the tenant. */
export type GoalWindow =
  | { readonly kind: "rolling"; readonly ms: number; readonly text: string }
  | { readonly kind: "calendar"; readonly period: Period; readonly timeZone: string }

/**
 * What a cumulative fulfillment asks for: `count` qualifying events whose amounts add up to at
 * least `total` (when given), all in one `window` (when given).
 */
export interface Goal {
  readonly count: number
  readonly total: Decimal | undefined
  readonly window: GoalWindow | undefined
}

/**
 * Whether a single qualifying event can fall short of the goal. Only then is anything kept
 * between events; otherwise each qualifying event completes the fulfillment at once, as a
 * fulfillment without goal fields always did (a window changes nothing for a goal of one).
 */
export const accumulates = (goal: Goal | undefined): goal is Goal => goal !== undefined && (goal.count > 1 || goal.total !== undefined)
