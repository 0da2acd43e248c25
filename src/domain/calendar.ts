/**
 * Calendar periods (day, week, month) in a tenant's time zone, judged on event time: what "this
 * month" means for a purchase made at a given instant, DST and month ends included.
 */
export const periods = ["day", "week", "month"] as const
export type Period = (typeof periods)[number]

/** One period: its bounds as instants (`start` inclusive, `end` exclusive) and a stable key. */
export interface PeriodSpan {
  readonly start: number
  readonly end: number
  /** The local date the period starts on, with its kind: `month:2026-03-01`. */
  readonly key: string
}

const formatters = new Map<string, Intl.DateTimeFormat>()
const formatter = (timeZone: string) => {
  let found = formatters.get(timeZone)
  if (!found) {
    found = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric"
    })
    formatters.set(timeZone, found)
  }
  return found
}

/** Whether `name` is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
export const isTimeZone = (name: string): boolean => {
  try {
    formatter(name)
    return true
  } catch {
    return false
  }
}

interface LocalTime {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
}

const localTime = (instant: number, timeZone: string): LocalTime => {
  const parts: Record<string, number> = {}
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value)
  }
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! }
}

/** How far the zone's wall clock is ahead of UTC at `instant`, in ms (whole seconds). */
const offsetAt = (instant: number, timeZone: string) => {
  const local = localTime(instant, timeZone)
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second)
  return asUtc - Math.floor(instant / 1000) * 1000
}

/**
 * The first instant of a local date in the zone: its midnight, or, where the clocks skip midnight
 * (a DST change at 00:00), the first moment that date exists.
 */
export const startOfLocalDay = (year: number, month: number, day: number, timeZone: string): number => {
  const wall = Date.UTC(year, month - 1, day)
  let instant = wall - offsetAt(wall, timeZone)
  instant = wall - offsetAt(instant, timeZone)
  const local = localTime(instant, timeZone)
  if (local.year === year && local.month === month && local.day === day) {
    // A midnight that exists; step back if an earlier instant of that date does too (a repeated hour).
    const earlier = instant - 3_600_000
    const before = localTime(earlier, timeZone)
    return before.year === year && before.month === month && before.day === day ? earlier - (before.hour * 3600 + before.minute * 60 + before.second) * 1000 : instant
  }
  // The local clock jumped over midnight: the day begins when the clock shows that date first.
  return instant + ((24 - local.hour) * 3600 - local.minute * 60 - local.second) * 1000
}

const dateKey = (year: number, month: number, day: number) =>
  `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`

/** The local date `days` after the given one (calendar arithmetic, no zone involved). */
const plusDays = (year: number, month: number, day: number, days: number) => {
  const date = new Date(Date.UTC(year, month - 1, day + days))
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }
}

// The last span found per zone and kind: a batch's events mostly fall in one period, and asking
// Intl for a wall clock is the costly part.
const recent = new Map<string, PeriodSpan>()

/** The period of kind `period` that contains `instant`, in `timeZone` (weeks start on Monday, as ISO 8601). */
export const periodOf = (instant: number, period: Period, timeZone: string): PeriodSpan => {
  const key = `${timeZone}\u0000${period}`
  const last = recent.get(key)
  if (last !== undefined && last.start <= instant && instant < last.end) return last
  const span = computePeriod(instant, period, timeZone)
  if (recent.size > 1000) recent.clear()
  recent.set(key, span)
  return span
}

const computePeriod = (instant: number, period: Period, timeZone: string): PeriodSpan => {
  const local = localTime(instant, timeZone)
  let first: { year: number; month: number; day: number }
  let next: { year: number; month: number; day: number }
  if (period === "day") {
    first = local
    next = plusDays(local.year, local.month, local.day, 1)
  } else if (period === "week") {
    const weekday = new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay()
    first = plusDays(local.year, local.month, local.day, -((weekday + 6) % 7))
    next = plusDays(first.year, first.month, first.day, 7)
  } else {
    first = { year: local.year, month: local.month, day: 1 }
    next = local.month === 12 ? { year: local.year + 1, month: 1, day: 1 } : { year: local.year, month: local.month + 1, day: 1 }
  }
  return {
    start: startOfLocalDay(first.year, first.month, first.day, timeZone),
    end: startOfLocalDay(next.year, next.month, next.day, timeZone),
    key: `${period}:${dateKey(first.year, first.month, first.day)}`
  }
}
