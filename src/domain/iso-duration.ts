/**
 * Rolling windows as ISO-8601 durations (`P30D`, `P1W`, `PT12H`, `P1DT6H`), in exact time: a day
 * is 24 hours. Years and months have no fixed length, so they are refused here; a calendar month
 * is the `period` `month` instead.
 */
const pattern = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/

const hour = 3_600_000
const day = 24 * hour

/** The duration in ms, or a reason it is not one this accepts. */
export const parseWindow = (text: string): { readonly ms: number } | { readonly error: string } => {
  if (/[YM]/.test(text.split("T")[0]!)) return { error: "years and months have no fixed length: use period month for a calendar month" }
  const match = pattern.exec(text)
  if (!match || text === "P" || text.endsWith("T")) return { error: "must be an ISO-8601 duration of weeks, days, hours, minutes or seconds, e.g. P30D or PT12H" }
  const [, weeks, days, hours, minutes, seconds] = match.map((part) => Number(part ?? 0))
  const ms = weeks! * 7 * day + days! * day + hours! * hour + minutes! * 60_000 + seconds! * 1000
  if (ms <= 0) return { error: "must be longer than zero" }
  if (ms > 3660 * day) return { error: "must be at most ten years" }
  return { ms }
}
