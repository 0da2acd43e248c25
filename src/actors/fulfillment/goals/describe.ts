import { add, toNumber, toText, zero } from "../../../domain/decimal.ts"
import type { Rule } from "../rule.ts"
import type { Contribution, Tally } from "./accumulator.ts"
import type { Goal, GoalWindow } from "./goal.ts"

const units: ReadonlyArray<readonly [RegExp, string]> = [
  [/(\d+)W/, "week"],
  [/(\d+)D/, "day"],
  [/T.*?(\d+)H/, "hour"],
  [/T.*?(\d+)M/, "minute"],
  [/T.*?(\d+)S/, "second"]
]

/** `P30D` → "30 days", `P1W` → "week", `P1DT6H` → "1 day 6 hours": what follows "in the last". */
export const durationWords = (text: string): string => {
  const parts = units.flatMap(([pattern, unit]) => {
    const count = Number(pattern.exec(text)?.[1] ?? 0)
    return count === 0 ? [] : [[count, unit] as const]
  })
  if (parts.length === 1 && parts[0]![0] === 1) return parts[0]![1]
  return parts.map(([count, unit]) => `${count} ${unit}${count === 1 ? "" : "s"}`).join(" ")
}

const windowWords = (window: GoalWindow | undefined): string => {
  if (window === undefined) return ""
  if (window.kind === "rolling") return ` in the last ${durationWords(window.text)}`
  return window.period === "day" ? " today" : ` this ${window.period}`
}

/** "purchases", "reviews", `"review:5-stars" activities`: what a fulfillment counts. */
const noun = (rule: Rule, count: number): string => {
  if (rule.kind === "buy") return count === 1 ? "purchase" : "purchases"
  if (!/^[a-z]+$/i.test(rule.tag)) return count === 1 ? `"${rule.tag}" activity` : `"${rule.tag}" activities`
  return count === 1 || rule.tag.endsWith("s") ? rule.tag : `${rule.tag}s`
}

// A goal of one event is stated by its total alone ("340 of 500 spent"), unless it has none.
const countsEvents = (goal: Goal) => goal.count > 1 || goal.total === undefined

/** "2 of 5 purchases in the last 30 days", "340 of 500 spent this month", "1 of 2 reviews". */
export const describeTally = (rule: Rule, goal: Goal, tally: Tally): string => {
  const parts = [
    ...(countsEvents(goal) ? [`${tally.count} of ${goal.count} ${noun(rule, goal.count)}`] : []),
    ...(goal.total === undefined ? [] : [`${toText(tally.total)} of ${toText(goal.total)} spent`])
  ]
  return `${parts.join(" and ")}${windowWords(goal.window)}`
}

/** The tally with one more event counted. */
export const withEvent = (tally: Tally, event: Contribution): Tally => ({ count: tally.count + 1, total: add(tally.total, event.amount) })

/** "4", "440", "4 and 440": where the tally would be with this event. */
export const wouldMake = (goal: Goal, tally: Tally): string =>
  [...(countsEvents(goal) ? [String(tally.count)] : []), ...(goal.total === undefined ? [] : [toText(tally.total)])].join(" and ")

/** The goal as the API states it: `within` and `period` as given, the total as a number. */
export const goalFields = (goal: Goal) => ({
  count: goal.count,
  ...(goal.total === undefined ? {} : { total: toNumber(goal.total) }),
  ...(goal.window?.kind === "rolling" ? { within: goal.window.text } : {}),
  ...(goal.window?.kind === "calendar" ? { period: goal.window.period } : {})
})

export const noTally: Tally = { count: 0, total: zero }
