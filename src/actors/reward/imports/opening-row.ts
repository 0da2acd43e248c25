import { Result, Schema } from "effect"
import { Label, PointsText, Tenant, UserId } from "../../../domain/primitives.ts"
import { makeValidator } from "../../../domain/validation.ts"
import { OccurredAt } from "../../../events/envelope.ts"
import { refusalOf } from "../../../imports/runner.ts"

/** One opening balance as a CSV row or an NDJSON line carries it. */
export const OpeningRow = Schema.Struct({
  tenant: Schema.optionalKey(Tenant.annotate({ description: "When given, must be the import's tenant" })),
  userId: UserId,
  points: PointsText,
  occurredAt: Schema.optionalKey(OccurredAt.annotate({ description: "When the balance was earned: pending and expiry count from it (default: the import's start)" })),
  reason: Schema.optionalKey(Label(500))
}).annotate({ identifier: "OpeningRow" })
export type OpeningRow = typeof OpeningRow.Type

export const openingColumns = { required: ["userId", "points"], optional: ["occurredAt", "reason", "tenant"] } as const

const validate = makeValidator(OpeningRow)

/**
 * A record as an opening row of the import's tenant. An NDJSON number for points is taken by its
 * shortest text (exact up to 15 significant digits; send text for more).
 */
export const decodeOpening = (tenant: string) => (values: Record<string, unknown>) => {
  const points = values.points
  const decoded = validate(typeof points === "number" && Number.isFinite(points) ? { ...values, points: String(points) } : values)
  if (Result.isFailure(decoded)) return Result.fail(refusalOf(decoded.failure))
  if (decoded.success.tenant !== undefined && decoded.success.tenant !== tenant) {
    return Result.fail({ field: "tenant", reason: `the row is of tenant ${decoded.success.tenant}, the import of ${tenant}` })
  }
  return Result.succeed(decoded.success)
}
