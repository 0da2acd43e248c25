import { periodOf } from "../../../domain/calendar.ts"
import { add, type Decimal, zero } from "../../../domain/decimal.ts"
import type { Goal } from "./goal.ts"

/**
 * How a cumulative goal is met, per user and fulfillment, judged on event time only (pure: the
 * same events in the same order always give the same completions, however late they arrive).
 *
 * The user's qualifying events that no completion has used yet are kept, in event-time order
 * (events with the same time in arrival order), with the latest event time counted so far. On a
 * new qualifying event at time t:
 *
 * - **Horizon.** An event that can no longer share a window with the latest one counted is too
 *   old and changes nothing: with `within` W, t ≤ latest − W; with `period`, t before the start
 *   of the latest's period. Kept events are pruned by the same rule after each event, so what
 *   is kept stays bounded (and at most `maxKept`, dropping the earliest).
 * - **Candidates.** With `period`: the kept events in t's period. With `within` W: the windows
 *   [s, s+W) that contain t, s ranging over the kept event times, earliest s first; the first
 *   window whose events meet the goal is taken. Without either: all kept events.
 * - **Completion.** The goal is met when the candidates number at least `count` and (with
 *   `total`) their amounts add up to at least `total`. The fewest earliest candidates that do so
 *   are used (they include t: before t, nothing met the goal), the completion reports them, and
 *   the next round starts from the rest. One event completes a goal at most once.
 */
export interface Contribution {
  /** Event time, ms since the epoch. */
  readonly at: number
  readonly amount: Decimal
  /** The purchase's order id, else the event's id: what a completion reports in `orderIds`. */
  readonly ref: string
  /** The purchase's own event id (an order may have several): what a refund of one of them finds. Absent in progress from before refunds. */
  readonly eventId?: string
}

export interface GoalState {
  /** The latest event time counted; undefined before the first. */
  readonly latestAt: number | undefined
  /** In event-time order. */
  readonly unused: ReadonlyArray<Contribution>
}

export const emptyState: GoalState = { latestAt: undefined, unused: [] }

/** At most this many unused events are kept per user and goal (a completion reports at most this many orders). */
export const maxKept = 1000

export type Outcome =
  | { readonly kind: "too-old"; readonly horizon: number }
  | { readonly kind: "counted" }
  | { readonly kind: "completed"; readonly used: ReadonlyArray<Contribution> }

export interface Step {
  readonly state: GoalState
  readonly outcome: Outcome
}

/** The earliest event time that can still count once `latestAt` was counted; undefined: any. */
export const horizonOf = (goal: Goal, latestAt: number | undefined): number | undefined => {
  if (latestAt === undefined || goal.window === undefined) return undefined
  if (goal.window.kind === "rolling") return latestAt - goal.window.ms + 1
  return periodOf(latestAt, goal.window.period, goal.window.timeZone).start
}

// After every kept event with the same time: arrival order breaks ties, so a replay keeps it.
const inserted = (list: ReadonlyArray<Contribution>, item: Contribution): Array<Contribution> => {
  let index = list.length
  while (index > 0 && list[index - 1]!.at > item.at) index--
  return [...list.slice(0, index), item, ...list.slice(index)]
}

/** Index of the last of the fewest events from `from` on that meet the goal, or -1. */
const reachFrom = (goal: Goal, list: ReadonlyArray<Contribution>, from: number, sums: ReadonlyArray<bigint>): number => {
  const last = from + goal.count - 1
  if (last >= list.length) return -1
  if (goal.total === undefined) return last
  const needed = sums[from]! + goal.total
  if (sums[list.length]! < needed) return -1
  // Amounts are never negative, so the running sums only grow: the first index reaching it by bisection.
  let low = last
  let high = list.length - 1
  while (low < high) {
    const middle = (low + high) >> 1
    if (sums[middle + 1]! >= needed) high = middle
    else low = middle + 1
  }
  return sums[low + 1]! >= needed ? low : -1
}

const runningSums = (list: ReadonlyArray<Contribution>): Array<bigint> => {
  const sums = [0n]
  for (const item of list) sums.push(sums[sums.length - 1]! + item.amount)
  return sums
}

/** The events a new one at time `at` completes the goal with, or undefined. */
export const completionAt = (goal: Goal, kept: ReadonlyArray<Contribution>, at: number): ReadonlyArray<Contribution> | undefined => {
  const window = goal.window
  if (window === undefined || window.kind === "calendar") {
    const span = window === undefined ? undefined : periodOf(at, window.period, window.timeZone)
    const candidates = span === undefined ? kept : kept.filter((c) => c.at >= span.start && c.at < span.end)
    const last = reachFrom(goal, candidates, 0, runningSums(candidates))
    return last < 0 ? undefined : candidates.slice(0, last + 1)
  }
  const sums = runningSums(kept)
  for (let first = 0; first < kept.length; first++) {
    const start = kept[first]!.at
    if (start > at) break
    // Windows start at a kept event time, in [at − W + 1, at], each once.
    if (start <= at - window.ms || (first > 0 && kept[first - 1]!.at === start)) continue
    const last = reachFrom(goal, kept, first, sums)
    if (last >= 0 && kept[last]!.at < start + window.ms) return kept.slice(first, last + 1)
  }
  return undefined
}

/** One qualifying event applied to a user's state for one goal. */
export const advance = (goal: Goal, state: GoalState, event: Contribution): Step => {
  const horizon = horizonOf(goal, state.latestAt)
  if (horizon !== undefined && event.at < horizon) return { state, outcome: { kind: "too-old", horizon } }
  const latestAt = state.latestAt === undefined ? event.at : Math.max(state.latestAt, event.at)
  const pruneBefore = horizonOf(goal, latestAt)
  let kept = inserted(state.unused, event)
  if (pruneBefore !== undefined) kept = kept.filter((c) => c.at >= pruneBefore)
  if (kept.length > maxKept) kept = kept.slice(kept.length - maxKept)
  const used = completionAt(goal, kept, event.at)
  if (used === undefined) return { state: { latestAt, unused: kept }, outcome: { kind: "counted" } }
  const spent = new Set(used)
  return { state: { latestAt, unused: kept.filter((c) => !spent.has(c)) }, outcome: { kind: "completed", used } }
}

export interface Tally {
  readonly count: number
  readonly total: Decimal
}

/** How far along the kept events are at instant `at`: in the window ending at `at`, its period, or all of them. */
export const tallyAt = (goal: Goal, state: GoalState, at: number): Tally => {
  const window = goal.window
  const span = window?.kind === "calendar" ? periodOf(at, window.period, window.timeZone) : undefined
  const inside = (c: Contribution) =>
    window === undefined ? true : window.kind === "rolling" ? c.at > at - window.ms && c.at <= at : c.at >= span!.start && c.at < span!.end
  let count = 0
  let total = zero
  for (const c of state.unused) {
    if (!inside(c)) continue
    count++
    total = add(total, c.amount)
  }
  return { count, total }
}
