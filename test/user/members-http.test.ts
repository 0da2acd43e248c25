import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { AnyElysia } from "elysia"
import { MemberUseCases } from "../../src/actors/user/member-service.ts"
import { memberRoutes } from "../../src/http/user-members.ts"
import { appOver, request } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"

describe("members HTTP", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<MemberUseCases>>
  let app: AnyElysia

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, MemberUseCases.layer)
    await registerTenantsIn(runtime, ["meiwei", "other"])
    app = await appOver(runtime, "user", memberRoutes)
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("the original body registers a member of the named tenant and GET /user lists them", async () => {
    const created = await request(app, "POST", "/user/", { fullname: "Ada Lovelace", username: "ada", tenant: "meiwei" })
    expect(created.status).toBe(201)
    const member = (await created.json()) as { id: string }
    expect(member).toMatchObject({ fullname: "Ada Lovelace", username: "ada", tenant: "meiwei" })
    const list = (await (await request(app, "GET", "/user")).json()) as { users: Array<{ username: string }> }
    expect(list.users.map((u) => u.username)).toEqual(["ada"])
    expect((await request(app, "GET", `/user/${member.id}`)).status).toBe(200)
    const duplicate = await request(app, "POST", "/user/", { fullname: "Ada L.", username: "ada", tenant: "meiwei" })
    expect(duplicate.status).toBe(409)
    expect((await request(app, "POST", "/user/", { fullname: "Ada L.", username: "ada", tenant: "other" })).status).toBe(201)
    expect((await request(app, "DELETE", `/user/${member.id}`)).status).toBe(204)
    expect((await request(app, "GET", `/user/${member.id}`)).status).toBe(404)
  })

  test("without a tenant in the body or the credential the tenant is required", async () => {
    const response = await request(app, "POST", "/user/", { fullname: "Bob", username: "bob" })
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ field: "tenant" })
  })

  test.each([
    [{ username: "x", tenant: "t" }, "fullname"],
    [{ fullname: "x", tenant: "t" }, "username"],
    [{ fullname: "x".repeat(201), username: "x", tenant: "t" }, "fullname"]
  ])("%p is a 422 naming %s", async (body, field) => {
    const response = await request(app, "POST", "/user/", body)
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ field })
  })

  test("a member of a tenant that does not exist is refused with 422 naming the tenant", async () => {
    const refused = await request(app, "POST", "/user/", { fullname: "Nobody", username: "nobody", tenant: "nosuchshop" })
    expect(refused.status).toBe(422)
    expect(await refused.json()).toMatchObject({ field: "tenant", message: "tenant: no tenant nosuchshop" })
    const list = (await (await request(app, "GET", "/user?tenant=nosuchshop")).json()) as { users: Array<unknown> }
    expect(list.users).toEqual([])
  })
})
