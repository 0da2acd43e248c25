import { describe, expect, test } from "bun:test"
import { isTimeZone, type Period, periodOf, startOfLocalDay } from "../../src/domain/calendar.ts"
import { parseWindow } from "../../src/domain/iso-duration.ts"

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()
const hours = (ms: number) => ms / 3_600_000

describe("calendar periods in a tenant's time zone", () => {
  test("Europe/Berlin: the day clocks go forward has 23 hours, the day they go back 25", () => {
    const spring = periodOf(at("2026-03-29T12:00:00Z"), "day", "Europe/Berlin")
    expect([iso(spring.start), iso(spring.end), spring.key]).toEqual(["2026-03-28T23:00:00.000Z", "2026-03-29T22:00:00.000Z", "day:2026-03-29"])
    expect(hours(spring.end - spring.start)).toBe(23)
    const autumn = periodOf(at("2026-10-25T12:00:00Z"), "day", "Europe/Berlin")
    expect(hours(autumn.end - autumn.start)).toBe(25)
  })

  test("a month ends at local midnight: 23:30 UTC on 31 January is already February in Berlin", () => {
    const january = periodOf(at("2026-01-31T22:59:59Z"), "month", "Europe/Berlin")
    const february = periodOf(at("2026-01-31T23:30:00Z"), "month", "Europe/Berlin")
    expect([january.key, february.key]).toEqual(["month:2026-01-01", "month:2026-02-01"])
    expect(iso(february.start)).toBe("2026-01-31T23:00:00.000Z")
    expect(iso(february.end)).toBe("2026-02-28T23:00:00.000Z")
    // March spans the change to summer time: it starts at UTC+1 and ends at UTC+2.
    const march = periodOf(at("2026-03-15T00:00:00Z"), "month", "Europe/Berlin")
    expect([iso(march.start), iso(march.end)]).toEqual(["2026-02-28T23:00:00.000Z", "2026-03-31T22:00:00.000Z"])
    expect(periodOf(at("2024-02-29T12:00:00Z"), "month", "UTC").key).toBe("month:2024-02-01")
  })

  test("weeks start on Monday, across a year end", () => {
    const week = periodOf(at("2027-01-01T12:00:00Z"), "week", "Europe/Berlin")
    expect(week.key).toBe("week:2026-12-28")
    expect(iso(week.start)).toBe("2026-12-27T23:00:00.000Z")
    expect(hours(week.end - week.start)).toBe(168)
    expect(periodOf(at("2026-03-29T21:59:59Z"), "week", "Europe/Berlin").key).toBe("week:2026-03-23")
    expect(periodOf(at("2026-03-29T22:00:00Z"), "week", "Europe/Berlin").key).toBe("week:2026-03-30")
  })

  test("where the clocks skip midnight, the day begins at the first instant it exists", () => {
    // Chile moves to summer time at 00:00 on 6 September 2026: the clock goes from 23:59:59 to 01:00.
    expect(iso(startOfLocalDay(2026, 9, 6, "America/Santiago"))).toBe("2026-09-06T04:00:00.000Z")
    const day = periodOf(at("2026-09-06T12:00:00Z"), "day", "America/Santiago")
    expect(hours(day.end - day.start)).toBe(23)
  })

  test("for random instants and zones, periods contain the instant, tile time without gaps, and keep their key", () => {
    const zones = ["UTC", "Europe/Berlin", "America/New_York", "America/Santiago", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Tehran"]
    let seed = 42
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    for (let i = 0; i < 3000; i++) {
      const instant = at("2020-01-01T00:00:00Z") + Math.floor(next() * 10 * 365 * 86_400_000)
      const zone = zones[i % zones.length]!
      const period = (["day", "week", "month"] as const)[i % 3] as Period
      const span = periodOf(instant, period, zone)
      expect(span.start <= instant && instant < span.end).toBe(true)
      expect(periodOf(span.start, period, zone).key).toBe(span.key)
      expect(periodOf(span.end - 1, period, zone).key).toBe(span.key)
      expect(periodOf(span.end, period, zone).start).toBe(span.end)
      if (period === "day") expect(hours(span.end - span.start)).toBeGreaterThanOrEqual(22.5)
    }
  })

  test("time zones are IANA names", () => {
    expect([isTimeZone("Europe/Berlin"), isTimeZone("UTC"), isTimeZone("Mars/Olympus"), isTimeZone("")]).toEqual([true, true, false, false])
  })
})

describe("rolling windows as ISO-8601 durations", () => {
  test.each([["P30D", 30 * 24], ["P1W", 168], ["PT12H", 12], ["P1DT6H", 30], ["PT90M", 1.5]])("%s is %d hours", (text, expected) => {
    expect(hours((parseWindow(text) as { ms: number }).ms)).toBe(expected)
  })
  test.each(["P1M", "P1Y", "P1Y2M", "30D", "P", "PT", "P0D", "P-1D", "P1.5D"])("%s is refused with a reason", (text) => {
    expect(parseWindow(text)).toHaveProperty("error")
  })
})
