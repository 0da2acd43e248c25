import * as D from "./decimal.ts"

/** How a reward's points are counted per credit (reward service; the campaign service budgets with it). */
export type EarnRule =
  | { readonly kind: "fixed"; readonly points: D.Decimal }
  | {
    readonly kind: "per_amount"
    /** Points for every `unit` of spend. */
    readonly pointsPerUnit: D.Decimal
    readonly unit: D.Decimal
    /** `down`: whole units only (default); `nearest`: units rounded half up; `exact`: to 4 places. */
    readonly rounding: "down" | "nearest" | "exact"
    /** At most this many points per credit. */
    readonly maxPoints: D.Decimal | null
  }

export const roundings = ["down", "nearest", "exact"] as const

/**
 * The points one completion earns: a fixed reward its points; a `per_amount` reward its rate on
 * the round's basis (the spend that completed it), rounded as it says, capped at `maxPoints`.
 * Exact: `1 point per 10.00, rounded down` on a basis of 129.99 is 12, never 12.999 or 13.
 */
export const pointsFor = (rule: EarnRule, basis: D.Decimal): D.Decimal => {
  if (rule.kind === "fixed") return rule.points
  const points = rule.rounding === "exact"
    ? D.multiplyDivide(basis, rule.pointsPerUnit, rule.unit, "half-up")
    : D.multiply(D.wholeTimes(basis, rule.unit, rule.rounding === "nearest" ? "half-up" : "down"), rule.pointsPerUnit)
  return rule.maxPoints === null ? points : D.min(points, rule.maxPoints)
}
