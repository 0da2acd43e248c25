import * as D from "../../../domain/decimal.ts"
import type { EarnRule } from "../../../domain/earning.ts"
import { roundings } from "../../../domain/earning.ts"

/** A reward's rule as the mirror stores it (decimals as text), or as the event carried it. */
export interface DefinitionFields {
  readonly kind: string
  readonly points?: string | null | undefined
  readonly pointsPerUnit?: string | null | undefined
  readonly unit?: string | null | undefined
  readonly rounding?: string | null | undefined
  readonly maxPoints?: string | null | undefined
}

const decimal = (text: string | null | undefined) => (text === null || text === undefined ? undefined : D.fromText(text))

/**
 * The earning rule a published definition describes; undefined when it does not describe one
 * (a `per_amount` reward without a positive unit): such a reward counts as unknown, never as 0.
 */
export const earnRuleOf = (fields: DefinitionFields): EarnRule | undefined => {
  if (fields.kind === "fixed") {
    const points = decimal(fields.points)
    return points === undefined ? undefined : { kind: "fixed", points }
  }
  if (fields.kind !== "per_amount") return undefined
  const pointsPerUnit = decimal(fields.pointsPerUnit)
  const unit = decimal(fields.unit)
  if (pointsPerUnit === undefined || unit === undefined || D.compare(unit, D.zero) <= 0) return undefined
  const rounding = roundings.find((r) => r === fields.rounding) ?? "down"
  return { kind: "per_amount", pointsPerUnit, unit, rounding, maxPoints: decimal(fields.maxPoints) ?? null }
}
