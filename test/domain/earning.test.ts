import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import postgres from "postgres"
import * as D from "../../src/domain/decimal.ts"
import { type EarnRule, pointsFor, roundings } from "../../src/domain/earning.ts"
import { testServerUrl } from "../support/postgres.ts"

let seed = 2026
const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
/** A random decimal of up to `digits` whole digits and 0-4 places, never below `min`. */
const decimal = (digits: number, min = 0) => {
  const places = Math.floor(next() * 5)
  const whole = Math.floor(next() * 10 ** Math.floor(next() * (digits + 1)))
  const fraction = places === 0 ? "" : `.${String(Math.floor(next() * 10 ** places)).padStart(places, "0")}`
  const text = `${whole}${fraction}`
  return D.compare(D.fromText(text), D.fromText(String(min))) < 0 ? String(min) : text
}

describe("points per amount, exact", () => {
  let sql: postgres.Sql

  beforeAll(() => {
    sql = postgres(testServerUrl, { max: 1, onnotice: () => {} })
  })
  afterAll(async () => {
    await sql.end()
  })

  test("the README's rule: 1 point per 10.00, rounded down, at most 500 per credit", () => {
    const rule: EarnRule = { kind: "per_amount", pointsPerUnit: D.fromText("1"), unit: D.fromText("10.00"), rounding: "down", maxPoints: D.fromText("500") }
    const points = (basis: string) => D.toText(pointsFor(rule, D.fromText(basis)))
    expect([points("129.99"), points("9.99"), points("10"), points("1000000"), points("0")]).toEqual(["12", "0", "1", "500", "0"])
    expect(D.toText(pointsFor({ kind: "fixed", points: D.fromText("100") }, D.fromText("3")))).toBe("100")
  })

  test("on 3000 random bases and rates, every rounding agrees with PostgreSQL's numeric arithmetic", async () => {
    const cases = Array.from({ length: 3000 }, (_, i) => ({
      basis: decimal(9),
      ppu: decimal(3, 0.0001),
      unit: decimal(4, 0.0001),
      rounding: roundings[i % 3]!,
      max: next() < 0.3 ? decimal(6) : null
    }))
    // The oracle: PostgreSQL's numeric, an independent exact decimal implementation.
    const oracle = await sql<Array<{ points: string }>>`
      select (case k.rounding
          when 'down' then trunc(k.basis / k.unit) * k.ppu
          when 'nearest' then round(k.basis / k.unit) * k.ppu
          else round(k.basis * k.ppu / k.unit, 4)
        end) as raw, k.max, k.i
      from unnest(${cases.map((c) => c.basis)}::numeric[], ${cases.map((c) => c.ppu)}::numeric[], ${cases.map((c) => c.unit)}::numeric[],
                  ${cases.map((c) => c.rounding)}::text[], ${cases.map((c) => c.max)}::numeric[], ${cases.map((_, i) => i)}::int[])
        as k(basis, ppu, unit, rounding, max, i)
      order by k.i`.then((rows) =>
      (rows as unknown as Array<{ raw: string; max: string | null }>).map((row) => ({
        points: D.toText(row.max === null ? D.fromText(row.raw) : D.min(D.fromText(row.raw), D.fromText(row.max)))
      })))
    const ours = cases.map((c) => ({
      points: D.toText(pointsFor({
        kind: "per_amount",
        pointsPerUnit: D.fromText(c.ppu),
        unit: D.fromText(c.unit),
        rounding: c.rounding,
        maxPoints: c.max === null ? null : D.fromText(c.max)
      }, D.fromText(c.basis)))
    }))
    const differing = ours.map((o, i) => ({ case: cases[i], ours: o.points, oracle: oracle[i]!.points })).filter((d) => d.ours !== d.oracle)
    expect(differing.slice(0, 5)).toEqual([])
  })
})
