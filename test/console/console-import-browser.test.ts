import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Browser, Page } from "playwright-core"
import { openLocalPage, signInToConsole } from "../support/browser.ts"
import { api, eventually } from "../support/flow.ts"
import { type LoyalteaProcess, spawnLoyaltea, testAdmin, waitStarted } from "../support/process.ts"

const viewer = { username: "meiwei-import-viewer", password: "a-long-enough-viewer-password" }
const otherAdmin = { username: "other-shop-admin", password: "a-long-enough-admin-password" }
const member = (n: number) => `0e41cc11-5e54-448b-a6ce-${String(n).padStart(12, "0")}`

/** Three balances and, on line 4, one the service must refuse (points must be above 0). */
const smallCsv = ["userId,points,occurredAt,reason", `${member(1)},120.5,,old card`, `${member(2)},0.0001,,`, `${member(3)},-5,,typo`, `${member(4)},7,,`, ""].join("\r\n")

/** `rows` balances past the console's 1 MiB JSON limit, every 500th refused (points 0). */
const largeCsv = (rows: number) => {
  const reason = "carried over from the paper stamp card of the old shop system; ".repeat(2)
  const lines = ["userId,points,occurredAt,reason"]
  for (let n = 1; n <= rows; n++) lines.push(`${member(100_000 + n)},${n % 500 === 0 ? "0" : `${n}.25`},,${reason}${n}`)
  return `${lines.join("\r\n")}\r\n`
}

/**
 * The console's Import page in headless Chromium against a whole Loyaltea process: a CSV of
 * opening balances chosen as a file and imported through the console's proxy, its report and
 * refused rows on the page and its balances in the reward service; a file past the console's
 * JSON limit followed while it runs; a viewer with no Import button; another tenant kept out.
 */
describe("the console's import page in a browser", () => {
  let lt: LoyalteaProcess
  let browser: Browser
  let page: Page
  let importId = ""
  const shots = mkdtempSync(join(tmpdir(), "loyaltea-console-shots-"))
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })
  const url = () => `http://127.0.0.1:${lt.ports.console}/`
  const count = (name: string) => page.locator(`.import-job [data-count=${name}]`).textContent()
  const tokenOf = async (who: { username: string; password: string }) => {
    const login = await fetch(`${url()}api/user/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(who) })
    return { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` }
  }

  beforeAll(async () => {
    lt = await spawnLoyaltea()
    await waitStarted(lt)
    const http = api(lt)
    await http.create("user", "/tenants", { id: "meiwei", name: "Meiwei Bakery" })
    await http.create("user", "/tenants", { id: "other-shop", name: "Other Shop" })
    await http.create("user", "/operators", { ...viewer, role: "tenant-viewer", tenant: "meiwei" })
    await http.create("user", "/operators", { ...otherAdmin, role: "tenant-admin", tenant: "other-shop" })
    const opened = await openLocalPage()
    browser = opened.browser
    page = opened.page
    console.log(`console screenshots in ${shots}`)
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await lt?.stop()
  })

  const signIn = (username: string, password: string) => signInToConsole(page, url(), username, password)

  test("imports a CSV of opening balances: the report with the refused row's line, field and reason, and the balances in the reward service", async () => {
    await signIn(testAdmin.username, testAdmin.password)
    await page.click("nav a:has-text('Import')")
    await page.selectOption("select[name=kind]", "opening-balances")
    await page.setInputFiles("input[name=file]", { name: "balances.csv", mimeType: "", buffer: Buffer.from(smallCsv) })
    const posted = page.waitForRequest((r) => r.method() === "POST" && r.url().includes("/api/reward/imports/opening-balances"))
    await page.click(".import button:has-text('Import')")
    const request = await posted
    // The media type comes from the file name, not from what the browser guessed.
    expect(request.headers()["content-type"]).toBe("text/csv")
    importId = new URL(request.url()).searchParams.get("id") ?? ""
    expect(importId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    await page.locator(".import-job[data-status=finished]").waitFor({ timeout: 30_000 })
    expect(await count("read")).toBe("4")
    expect(await count("applied")).toBe("3")
    expect(await count("duplicates")).toBe("0")
    expect(await count("refused")).toBe("1")
    const row = page.locator(".import-refusals tbody tr")
    await row.first().waitFor()
    expect(await row.count()).toBe(1)
    const cells = await row.locator("td").allTextContents()
    expect(cells.slice(0, 2)).toEqual(["4", "points"])
    // The reason shown is the service's own.
    const refusals = (await api(lt).call("reward", "GET", `/imports/${importId}/refusals?tenant=meiwei`)).body as { items: Array<{ line: number; field: string; reason: string }> }
    expect(refusals.items).toEqual([{ line: 4, field: "points", reason: cells[2]! }])
    expect(cells[2]!.length).toBeGreaterThan(5)
    await shot("31-import-report")

    const balance = async (n: number) => ((await api(lt).call("reward", "GET", `/user-rewards/${member(n)}/?tenant=meiwei`)).body as { points: number }).points
    expect(await balance(1)).toBe(120.5)
    expect(await balance(2)).toBe(0.0001)
    expect(await balance(4)).toBe(7)
    const refused = await api(lt).call("reward", "GET", `/user-rewards/${member(3)}/?tenant=meiwei`)
    expect(refused.status === 404 || (refused.body as { points: number }).points === 0).toBe(true)
  }, 60_000)

  test("imports purchases from an NDJSON file into the fulfillment service, a row without its time refused", async () => {
    // The fulfillment service knows the tenant once the user service's tenant event has reached it.
    await eventually(() => api(lt).call("fulfillment", "GET", "/imports/00000000-0000-4000-8000-000000000000?tenant=meiwei"), (r) => r.status === 404, 30_000)
    const ndjson = [
      JSON.stringify({ eventId: "old-order-1", userId: member(1), occurredAt: "2025-11-30T09:30:00Z", product: "bread", amount: 5 }),
      JSON.stringify({ eventId: "old-order-2", userId: member(2), product: "bread", amount: 3 }),
      JSON.stringify({ orderId: "old-order-3", userId: member(2), occurredAt: "2025-12-01T10:00:00Z", product: "bread", amount: 7 }),
      ""
    ].join("\n")
    await page.selectOption("select[name=kind]", "purchases")
    await page.setInputFiles("input[name=file]", { name: "orders.ndjson", mimeType: "", buffer: Buffer.from(ndjson) })
    const posted = page.waitForRequest((r) => r.method() === "POST" && r.url().includes("/api/fulfillment/imports/purchases"))
    await page.click(".import button:has-text('Import')")
    expect((await posted).headers()["content-type"]).toBe("application/x-ndjson")
    await page.locator(".import-job[data-status=finished]").waitFor({ timeout: 30_000 })
    expect([await count("read"), await count("applied"), await count("refused")]).toEqual(["3", "2", "1"])
    // The refusals are asked for once the job is finished: they may show a moment after it.
    await page.locator(".import-refusals tbody tr").first().waitFor()
    expect(await page.locator(".import-refusals tbody tr td").allTextContents()).toEqual(["2", "occurredAt", "required: when the purchase happened"])
    await shot("35-import-purchases")
    await page.selectOption("select[name=kind]", "opening-balances")
  }, 60_000)

  test("a file that is neither CSV nor NDJSON is refused at the file field; a header the service refuses is shown under the form", async () => {
    await page.setInputFiles("input[name=file]", { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("userId,points\r\n") })
    await page.click(".import button:has-text('Import')")
    const fieldError = page.locator("label.field.invalid:has(input[name=file]) .field-error")
    await fieldError.waitFor()
    expect(await fieldError.textContent()).toBe("must be a .csv or .ndjson file")

    // 3 MiB behind a header the service refuses before it reads on: the answer still reaches the page.
    const rest = `${member(5)},3\r\n`.repeat(60_000)
    await page.setInputFiles("input[name=file]", { name: "wrong.csv", mimeType: "text/csv", buffer: Buffer.from(`userId,balance\r\n${rest}`) })
    const answered = page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/api/reward/imports/opening-balances"))
    await page.click(".import button:has-text('Import')")
    expect((await answered).status()).toBe(422)
    const error = page.locator(".import .form-error[role=alert]")
    await error.waitFor()
    expect(await error.textContent()).toStartWith("balance: unknown column")
    // The form is ready for another file.
    await page.locator(".import button.primary:not([disabled])").waitFor()
    await shot("36-import-refused-header")
  }, 60_000)

  test("a file past the console's 1 MiB JSON limit is streamed, its counts shown while it runs, its refusals paged", async () => {
    // Large enough to take several seconds, so that the page's polls every second find it running.
    const rows = 30_000
    const body = Buffer.from(largeCsv(rows))
    console.log(`large import: ${rows} rows, ${(body.byteLength / 1024 / 1024).toFixed(1)} MiB`)
    expect(body.byteLength).toBeGreaterThan(1024 * 1024)
    const polled: Array<Promise<string>> = []
    page.on("response", (response) => {
      if (response.request().method() !== "GET" || !/\/api\/reward\/imports\/[0-9a-f-]{36}\?/.test(response.url())) return
      polled.push(response.json().then((job: { status: string; read: number }) => `${job.status} ${job.read}`, () => `${response.status()}`))
    })
    await page.setInputFiles("input[name=file]", { name: "many.csv", mimeType: "text/csv", buffer: body })
    await page.click(".import button:has-text('Import')")
    await page.locator(".import-job[data-status=running]").waitFor({ timeout: 30_000 })
    await shot("32-import-running")
    const started = Date.now()
    await page.locator(".import-job[data-status=finished]").waitFor({ timeout: 120_000 })
    console.log(`large import: finished on the page ${Date.now() - started} ms after it was first seen running`)
    expect(await count("read")).toBe(String(rows))
    expect(await count("refused")).toBe(String(rows / 500))
    expect(await count("applied")).toBe(String(rows - rows / 500))
    // Asked every second while it ran, and seen running part-way.
    const seen = await Promise.all(polled)
    expect(seen.some((s) => /^running \d+$/.test(s) && Number(s.split(" ")[1]) < rows)).toBe(true)
    // 60 refusals: a page of 50, then the rest.
    await page.locator(".import-refusals tbody tr:nth-child(50)").waitFor()
    expect(await page.locator(".import-refusals tbody tr").count()).toBe(50)
    await page.click(".import-refusals button:has-text('More refusals')")
    await page.locator(".import-refusals tbody tr:nth-child(60)").waitFor()
    expect(await page.locator(".import-refusals tbody tr").count()).toBe(60)
    expect(await page.locator(".import-refusals button:has-text('More refusals')").count()).toBe(0)
    expect(await page.locator(".import-refusals tbody tr:nth-child(60) td").first().textContent()).toBe(String(rows + 1))
    await shot("33-import-large-refusals")
  }, 180_000)

  test("a viewer has no Import button, and the console's proxy refuses them an import; another tenant's admin cannot see this tenant's import", async () => {
    await page.click("header.top button:has-text('Sign out')")
    await page.waitForSelector("input[name=username]")
    await signIn(viewer.username, viewer.password)
    await page.click("nav a:has-text('Import')")
    await page.locator(".import select[name=kind]").waitFor()
    expect(await page.locator(".import button:has-text('Import'), .import input[name=file]").count()).toBe(0)
    // The viewer looks the admin's import up by its id: its report and refused row.
    await page.fill("input[name=importId]", importId)
    await page.click(".import button:has-text('Show')")
    await page.locator(".import-job[data-status=finished]").waitFor()
    expect(await count("applied")).toBe("3")
    expect(await page.locator(".import-refusals tbody tr td").first().textContent()).toBe("4")
    await shot("34-viewer-import")

    const asViewer = await tokenOf(viewer)
    const viewerPost = await fetch(`${url()}api/reward/imports/opening-balances?tenant=meiwei`, { method: "POST", headers: { ...asViewer, "content-type": "text/csv" }, body: `userId,points\r\n${member(9)},5\r\n` })
    expect(viewerPost.status).toBe(403)
    // The viewer reads their tenant's import.
    expect((await fetch(`${url()}api/reward/imports/${importId}?tenant=meiwei`, { headers: asViewer })).status).toBe(200)

    const asOther = await tokenOf(otherAdmin)
    const cross = await fetch(`${url()}api/reward/imports/${importId}?tenant=meiwei`, { headers: asOther })
    expect(cross.status).toBe(422)
    const own = await fetch(`${url()}api/reward/imports/${importId}?tenant=other-shop`, { headers: asOther })
    expect(own.status).toBe(404)
    const refusals = await fetch(`${url()}api/reward/imports/${importId}/refusals?tenant=other-shop`, { headers: asOther })
    expect(refusals.status).toBe(404)
    // Rows of this tenant posted by the other shop's admin into their own import are refused, never applied here.
    const foreign = await fetch(`${url()}api/reward/imports/opening-balances?tenant=other-shop`, {
      method: "POST", headers: { ...asOther, "content-type": "text/csv" }, body: `userId,points,tenant\r\n${member(10)},5,meiwei\r\n`
    })
    expect(foreign.status).toBe(201)
    expect(await foreign.json()).toMatchObject({ tenant: "other-shop", applied: 0, refused: 1 })
    const untouched = await api(lt).call("reward", "GET", `/user-rewards/${member(10)}/?tenant=meiwei`)
    expect(untouched.status === 404 || (untouched.body as { points: number }).points === 0).toBe(true)
  }, 60_000)
})
