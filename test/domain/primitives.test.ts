import { describe, expect, test } from "bun:test"
import { Result } from "effect"
import { Amount, Points } from "../../src/domain/primitives.ts"
import { makeValidator } from "../../src/domain/validation.ts"

const reasons = (validate: (value: unknown) => Result.Result<unknown, ReadonlyArray<{ message: string }>>, value: unknown) =>
  Result.match(validate(value), { onSuccess: () => [], onFailure: (issues) => issues.map((issue) => issue.message) })

describe("decimal numbers in exponent notation", () => {
  const points = makeValidator(Points)
  const amount = makeValidator(Amount)

  test("1e30 and 1e21 are whole numbers: refused as too large, never as having too many decimals", () => {
    expect(reasons(points, 1e30)).toEqual(["must be at most 1000000000"])
    expect(reasons(amount, 1e30)).toEqual(["must be at most 100000000000"])
    expect(reasons(points, 1e21)).toEqual(["must be at most 1000000000"])
    expect(reasons(amount, 1.5e25)).toEqual(["must be at most 100000000000"])
  })

  test("1e-7 and 1.5e-5 have more than 4 decimal places; 1e-4 does not", () => {
    expect(reasons(points, 1e-7)).toEqual(["must have at most 4 decimal places"])
    expect(reasons(amount, 1.5e-5)).toEqual(["must have at most 4 decimal places"])
    expect(reasons(points, 1e-4)).toEqual([])
    expect(reasons(amount, 1e9)).toEqual([])
  })
})
