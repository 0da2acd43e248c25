import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { AnyElysia } from "elysia"
import { rewardService } from "../../src/actors/reward/definition.ts"
import { RewardUseCases } from "../../src/actors/reward/service.ts"
import { anonymousApp } from "../support/app.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import type { PointsLifecycle } from "../../src/actors/reward/lifecycle/service.ts"

const chromium = Bun.which("chromium") ?? Bun.which("chromium-browser") ?? "/usr/bin/chromium"

/**
 * Headless Chromium, cut off from the network as on this machine, prints the DOM after scripts
 * ran, and logs the page's console (where it reports Content-Security-Policy violations).
 */
const render = async (url: string) => {
  const proc = Bun.spawn([
    chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
    "--no-first-run", "--disable-component-update", "--disable-sync", `--user-data-dir=${mkdtempSync(join(tmpdir(), "loyaltea-chromium-"))}`,
    // Everything but this server is unreachable: a CDN reference would leave the page blank.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1",
    "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom", url
  ], { stdout: "pipe", stderr: "pipe" })
  const [dom, log] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  await proc.exited
  return { dom, violations: log.split("\n").filter((line) => /Content Security Policy/i.test(line)) }
}

describe("Swagger UI in a browser without internet access", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<RewardUseCases | PointsLifecycle | TenantDirectory>>
  let server: AnyElysia

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, rewardService.useCases)
    server = (await anonymousApp(runtime, "reward", rewardService.routes as never)).listen({ hostname: "127.0.0.1", port: 0 })
  })
  afterAll(async () => {
    await server?.stop()
    await runtime?.dispose()
    await database?.drop()
  })

  test("renders the service's operations, the Authorize button and its title from local assets, within its Content-Security-Policy", async () => {
    const url = `http://127.0.0.1:${server.server!.port}/swagger`
    const policy = (await fetch(url)).headers.get("content-security-policy")
    expect(policy).toContain("default-src 'none'")
    expect(policy).toContain("script-src 'self' 'sha256-")
    expect(policy).not.toContain("unsafe-inline")
    const { dom, violations } = await render(url)
    expect(violations).toEqual([])
    // These exist only once swagger-ui-bundle.js ran and rendered the OpenAPI document.
    expect(dom).toContain("Loyaltea reward service")
    expect(dom).toContain("opblock")
    expect(dom).toContain("/user-rewards/{userId}/redemptions")
    expect(dom).toContain("Authorize")
  }, 60_000)
})
