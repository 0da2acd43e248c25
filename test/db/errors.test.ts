import { describe, expect, test } from "bun:test"
import { fromDriverError, isTransient } from "../../src/db/errors.ts"

const pgError = (code: string, extra: Record<string, string> = {}) => Object.assign(new Error(`pg ${code}`), { code, ...extra })

describe("driver errors are mapped in one place", () => {
  test("unique violations carry the constraint", () => {
    const error = fromDriverError(pgError("23505", { constraint_name: "rewards_pkey", detail: "Key (id)=(1) already exists." }))
    expect(error._tag).toBe("UniqueViolation")
    expect(error).toMatchObject({ constraint: "rewards_pkey" })
    expect(isTransient(error)).toBe(false)
  })

  test.each(["40001", "40P01"])("%s is a retryable serialization failure", (code) => {
    const error = fromDriverError(pgError(code))
    expect(error._tag).toBe("SerializationFailure")
    expect(isTransient(error)).toBe(true)
  })

  test.each(["ECONNREFUSED", "CONNECTION_CLOSED", "CONNECT_TIMEOUT", "08006", "57P01"])("%s means the connection is lost", (code) => {
    const error = fromDriverError(pgError(code))
    expect(error._tag).toBe("ConnectionLost")
    expect(isTransient(error)).toBe(true)
  })

  test("anything else is a failed query with its SQLSTATE", () => {
    const error = fromDriverError(pgError("42P01"))
    expect(error).toMatchObject({ _tag: "QueryFailed", code: "42P01" })
    expect(fromDriverError("boom")).toMatchObject({ _tag: "QueryFailed", code: "UNKNOWN" })
  })
})
