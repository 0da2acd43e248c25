import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { openApiErrors } from "../../support/openapi.ts"
import { type Harness, lifecycleHarness } from "./harness.ts"

type Json = any

describe("the points lifecycle in the reward service's OpenAPI document", () => {
  let h: Harness
  let document: Json
  beforeAll(async () => {
    h = await lifecycleHarness(["meiwei"])
    document = await (await h.request("GET", "/swagger/json")).json()
  })
  afterAll(() => h.close())

  test("the document is valid and has every lifecycle route with its errors as problem details", async () => {
    expect(await openApiErrors(document)).toEqual([])
    for (const [path, method, codes] of [
      ["/programs/{tenant}", "get", ["200", "403", "422"]],
      ["/programs/{tenant}", "put", ["200", "403", "422"]],
      ["/user-rewards/{userId}/adjustments", "post", ["200", "201", "403", "409", "422"]],
      ["/user-rewards/{userId}/", "get", ["200", "422"]],
      ["/user-rewards/{userId}/ledger", "get", ["200", "422"]]
    ] as const) {
      const operation = document.paths[path]?.[method]
      expect(operation).toBeDefined()
      for (const code of codes) expect(Object.keys(operation.responses)).toContain(code)
      expect(Object.keys(operation.responses["422"].content)).toContain("application/problem+json")
    }
    const ledgerKinds = document.paths["/user-rewards/{userId}/ledger"].get.parameters.find((p: Json) => p.name === "kind")
    expect(ledgerKinds.schema.enum ?? ledgerKinds.schema.anyOf?.map((s: Json) => s.const)).toEqual(["credit", "redemption", "reversal", "expiry", "adjustment", "activation", "opening"])
  })

  test("the examples of the program and adjustment bodies are accepted as they are", async () => {
    const bodyOf = (path: string, method: string) => document.paths[path][method].requestBody.content["application/json"].schema
    const program = bodyOf("/programs/{tenant}", "put").examples[0]
    expect(await (await h.request("PUT", "/programs/meiwei", program)).json()).toMatchObject(program)
    const adjustment = bodyOf("/user-rewards/{userId}/adjustments", "post").examples[0]
    const made = await h.request("POST", "/user-rewards/ada/adjustments", adjustment)
    expect(made.status).toBe(201)
    expect(await made.json()).toMatchObject({ points: adjustment.points, reason: adjustment.reason, idempotencyKey: adjustment.idempotencyKey })
  })
})
