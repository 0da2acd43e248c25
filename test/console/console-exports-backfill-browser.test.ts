import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Browser, Page } from "playwright-core"
import { openLocalPage, signInToConsole } from "../support/browser.ts"
import { api, eventually, produce } from "../support/flow.ts"
import { type LoyalteaProcess, spawnLoyaltea, testAdmin, waitStarted } from "../support/process.ts"
import { csvRecords } from "../support/csv.ts"

const purchaser = "0e41cc11-5e54-448b-a6ce-9c9a855ad202"
const stranger = "7a1d6a52-1f7e-4c1b-9a53-6a3c2f0b9e11"
const viewer = { username: "meiwei-viewer", password: "a-long-enough-viewer-password" }
const ids = {
  hundred: "a1b2c3d4-0000-4000-8000-000000000100",
  ten: "a1b2c3d4-0000-4000-8000-000000000010",
  bread: "a1b2c3d4-0000-4000-8000-00000000b2ea",
  otherReward: "a1b2c3d4-0000-4000-8000-0000000000f1",
  otherBread: "a1b2c3d4-0000-4000-8000-0000000000f2"
}

/**
 * The console's Exports and Backfill pages in headless Chromium against a whole Loyaltea process:
 * purchases credited by the real flow, the ledger downloaded through the console and compared
 * with the member's ledger, a campaign created after those purchases backfilled to the end, and
 * a viewer who sees both pages but can start nothing and sees no other tenant.
 */
describe("the console's exports and backfill pages in a browser", () => {
  let lt: LoyalteaProcess
  let browser: Browser
  let page: Page
  let late = ""
  let foreign = ""
  const shots = mkdtempSync(join(tmpdir(), "loyaltea-console-shots-"))
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })
  const url = () => `http://127.0.0.1:${lt.ports.console}/`

  beforeAll(async () => {
    lt = await spawnLoyaltea()
    await waitStarted(lt)
    const http = api(lt)
    await http.create("user", "/tenants", { id: "meiwei", name: "Meiwei Bakery" })
    await http.create("user", "/tenants", { id: "other-shop", name: "Other Shop" })
    await http.create("reward", "/rewards/", { tenant: "meiwei", reward_id: ids.hundred, name: "100 points", reward_points: 100 })
    await http.create("reward", "/rewards/", { tenant: "meiwei", reward_id: ids.ten, name: "10 points", reward_points: 10 })
    await http.create("fulfillment", "/buy-fulfillments/", { tenant: "meiwei", fulfillment_id: ids.bread, name: "bread", product: "bread", amount: 100 })
    await http.create("campaign", "/campaign", { tenant: "meiwei", name: "bread for points", status: "active", fulfillments: [ids.bread], rewards: [ids.hundred] })
    await http.create("reward", "/rewards/", { tenant: "other-shop", reward_id: ids.otherReward, name: "7 points", reward_points: 7 })
    await http.create("fulfillment", "/buy-fulfillments/", { tenant: "other-shop", fulfillment_id: ids.otherBread, name: "bread", product: "bread", amount: 100 })
    foreign = ((await http.create("campaign", "/campaign", { tenant: "other-shop", name: "the other shop's bread", status: "active", fulfillments: [ids.otherBread], rewards: [ids.otherReward] })) as { id: string }).id
    // Three purchases of the member, and one of another shop's member, credited by the live flow.
    await produce(`127.0.0.1:${lt.ports.broker}`, "buy", [1, 2, 3].map((n) => ({ tenant: "meiwei", product: "bread", amount: 101, userId: purchaser, eventId: `console-export-${n}` })))
    await produce(`127.0.0.1:${lt.ports.broker}`, "buy", [{ tenant: "other-shop", product: "bread", amount: 150, userId: stranger, eventId: "console-export-other" }])
    expect((await eventually(() => http.balances("meiwei"), (b) => b[purchaser] === 300, 30_000))[purchaser]).toBe(300)
    expect((await eventually(() => http.balances("other-shop"), (b) => b[stranger] === 7, 30_000))[stranger]).toBe(7)
    const opened = await openLocalPage({ acceptDownloads: true })
    browser = opened.browser
    page = opened.page
    console.log(`console screenshots in ${shots}`)
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await lt?.stop()
  })

  const signIn = (username: string, password: string) => signInToConsole(page, url(), username, password)
  /** Clicks Download and answers the saved file's name and text. */
  const download = async () => {
    const [file] = await Promise.all([page.waitForEvent("download"), page.click(".exports button:has-text('Download')")])
    return { name: file.suggestedFilename(), text: readFileSync((await file.path())!, "utf8") }
  }

  test("downloads the ledger as CSV through the console, and it is the member's ledger, of this tenant only", async () => {
    await signIn(testAdmin.username, testAdmin.password)
    await page.click("nav a:has-text('Exports')")
    await page.selectOption("select[name=kind]", "ledger")
    await page.selectOption("select[name=format]", "csv")
    const { name, text } = await download()
    expect(name).toBe("meiwei-ledger.csv")
    const rows = csvRecords(text)
    const ledger = (await api(lt).call("reward", "GET", `/user-rewards/${purchaser}/ledger?tenant=meiwei`)).body as { entries: Array<{ id: string; amount: number; kind: string }> }
    expect(ledger.entries).toHaveLength(3)
    expect(rows.map((r) => ({ id: r.id ?? "", kind: r.kind, amount: Number(r.amount), userId: r.userId, tenant: r.tenant })).sort((a, b) => a.id.localeCompare(b.id)))
      .toEqual(ledger.entries.map((e) => ({ id: String(e.id), kind: e.kind, amount: e.amount, userId: purchaser, tenant: "meiwei" })).sort((a, b) => a.id.localeCompare(b.id)))
    // The running balance after each credit, oldest first, as exact decimals.
    expect(rows.map((r) => r.balanceAfter)).toEqual(["100.0000", "200.0000", "300.0000"])
    expect(text).not.toContain(stranger)
    await page.locator(".exports .note[data-saved='meiwei-ledger.csv']").waitFor()
    await shot("21-exports-ledger")
  }, 60_000)

  test("downloads the balances as NDJSON, and a period that ends before it starts is refused at its field", async () => {
    await page.selectOption("select[name=kind]", "balances")
    await page.selectOption("select[name=format]", "ndjson")
    const { name, text } = await download()
    expect(name).toBe("meiwei-balances.ndjson")
    const lines = text.trim().split("\n").map((line) => JSON.parse(line) as { tenant: string; userId: string; points: unknown })
    expect(lines.map((l) => [l.tenant, l.userId, String(l.points)])).toEqual([["meiwei", purchaser, "300.0000"]])

    await page.selectOption("select[name=kind]", "ledger")
    await page.fill("input[name=from]", "2026-03-02T10:00")
    await page.fill("input[name=to]", "2026-03-01T10:00")
    await page.click(".exports button:has-text('Download')")
    const error = page.locator("label.field.invalid:has(input[name=to]) .field-error")
    await error.waitFor()
    expect(await error.textContent()).toBe("must be after from")
    await shot("22-exports-invalid-period")

    // A period before every purchase: a file with the header only.
    await page.fill("input[name=to]", "2026-03-03T10:00")
    const empty = await download()
    expect(empty.name).toBe("meiwei-ledger-2026-03-02T1000--2026-03-03T1000.ndjson")
    expect(empty.text).toBe("")

    // A tenant the form has no field for: the refusal is shown under the form, naming it.
    await page.fill("header.top input[name=tenant]", "No Such Shop")
    await page.click(".exports button:has-text('Download')")
    await page.locator(".exports .form-error").waitFor()
    expect(await page.locator(".exports .form-error").textContent()).toStartWith("tenant: ")
    await page.fill("header.top input[name=tenant]", "meiwei")
  }, 60_000)

  test("backfills a campaign created after the purchases: started on a click, followed until done, its credits in the balance", async () => {
    const http = api(lt)
    late = ((await http.create("campaign", "/campaign", {
      tenant: "meiwei", name: "ten points a loaf, twice", status: "active", fulfillments: [ids.bread], rewards: [ids.ten], limits: { perUser: 2 }
    })) as { id: string }).id
    // From the campaign's row in the program, to its backfill.
    await page.click("nav a:has-text('Program')")
    await page.click(".tabs button:has-text('Campaigns')")
    await page.locator(`[data-resource=campaigns] tr:has-text('ten points a loaf') a:has-text('Backfill')`).click()
    await page.locator(`select[name=campaign] option[value='${late}']`).waitFor({ state: "attached" })
    expect(await page.inputValue("select[name=campaign]")).toBe(late)
    expect(await page.locator("nav a.active").textContent()).toBe("Backfill")
    // The other shop's campaign is not among the choices.
    expect(await page.locator(`select[name=campaign] option[value='${foreign}']`).count()).toBe(0)
    await page.locator(".backfill .empty:has-text('no backfill')").waitFor()
    // What the page was told after it started the job: the start's answer, then each refresh.
    const answers: Array<Promise<string>> = []
    page.on("response", (response) => {
      if (!response.url().endsWith(`/api/campaign/campaign/${late}/backfill`)) return
      const method = response.request().method()
      answers.push(response.json().then((job: { status: string | number }) => `${method} ${job.status}`, () => `${method} unreadable`))
    })
    // The first refresh finds the campaign service out of reach: the page goes on asking.
    let refreshes = 0
    await page.route(`**/api/campaign/campaign/${late}/backfill`, (route) =>
      route.request().method() === "GET" && refreshes++ === 0
        ? route.fulfill({ status: 503, contentType: "application/problem+json", body: JSON.stringify({ status: 503, title: "Service Unavailable", detail: "the campaign service cannot be reached" }) })
        : route.continue())
    await page.click(".backfill button:has-text('Start backfill')")
    await page.locator(".backfill-job").waitFor()
    await page.locator(".backfill-job[data-status=done]").waitFor({ timeout: 60_000 })
    const count = (name: string) => page.locator(`.backfill-job [data-count=${name}]`).textContent()
    // The log holds every tenant's events (the other shop's purchase too); only this tenant's three are applied.
    expect(await count("eventsRead")).toBe("4")
    expect(await count("rewardsGranted")).toBe("2")
    expect(await count("pointsGranted")).toBe("20")
    expect(await page.locator(".backfill-job [data-percent]").textContent()).toBe("100%")
    expect(await count("refundsRead")).toBe("0")
    expect(await page.locator(".backfill-job").getAttribute("data-phase")).toBe("done")
    // Started running, and followed by asking again until it was done.
    const seen = await eventually(() => Promise.all(answers), (all) => all.at(-1) === "GET done")
    expect(seen.at(-1)).toBe("GET done")
    expect(seen[0]).toBe("POST running")
    expect(seen[1]).toBe("GET 503")
    expect(refreshes).toBeGreaterThanOrEqual(2)
    await page.unroute(`**/api/campaign/campaign/${late}/backfill`)
    await shot("23-backfill-done")
    expect((await eventually(() => http.balances("meiwei"), (b) => b[purchaser] === 320, 30_000))[purchaser]).toBe(320)
    const job = (await http.call("campaign", "GET", `/campaign/${late}/backfill`)).body as { status: string; rewardsGranted: number }
    expect(job).toMatchObject({ status: "done", rewardsGranted: 2 })

    // Once done, another job can be started: over the same events it grants nothing, and the first is listed below it.
    await page.click(".backfill button:has-text('Start backfill')")
    await page.locator(`.backfill-job[data-status=done]:not(:has([data-count=rewardsGranted]:text-is("2")))`).waitFor({ timeout: 60_000 })
    expect(await count("rewardsGranted")).toBe("0")
    await page.locator(".backfill-history tbody tr").waitFor()
    expect(await page.locator(".backfill-history tbody tr").count()).toBe(1)
    expect(await page.locator(".backfill-history tbody tr td").nth(6).textContent()).toBe("2")
    await shot("23b-backfill-again")
    await Bun.sleep(1000)
    expect((await http.balances("meiwei"))[purchaser]).toBe(320)
  }, 120_000)

  test("a viewer sees the backfill's progress and downloads exports, but has no start button and no other tenant", async () => {
    const http = api(lt)
    await http.create("user", "/operators", { ...viewer, role: "tenant-viewer", tenant: "meiwei" })
    await page.click("header.top button:has-text('Sign out')")
    await page.waitForSelector("input[name=username]")
    await signIn(viewer.username, viewer.password)
    // The campaigns' rows link to their backfill for a viewer too, with nothing to edit or delete.
    await page.click(".tabs button:has-text('Campaigns')")
    await page.locator("[data-resource=campaigns] a:has-text('Backfill')").first().waitFor()
    expect(await page.locator("[data-resource=campaigns] a:has-text('Backfill')").count()).toBe(2)
    expect(await page.locator("[data-resource=campaigns] button").count()).toBe(0)
    await page.goto(`${url()}#/backfill`)
    await page.locator(`select[name=campaign] option[value='${late}']`).waitFor({ state: "attached" })
    await page.selectOption("select[name=campaign]", late)
    await page.locator(".backfill-job[data-status=done]").waitFor()
    // The latest job (the second, which found everything counted) and the first below it.
    expect(await page.locator(".backfill-job [data-count=rewardsGranted]").textContent()).toBe("0")
    await page.locator(".backfill-history tbody tr").waitFor()
    expect(await page.locator(".backfill-history tbody tr td").nth(6).textContent()).toBe("2")
    expect(await page.locator(".backfill button:has-text('Start'), .backfill input[name=from]").count()).toBe(0)
    expect(await page.locator(`select[name=campaign] option[value='${foreign}']`).count()).toBe(0)
    await shot("24-viewer-backfill")

    await page.click("nav a:has-text('Exports')")
    const { text } = await download()
    const rows = csvRecords(text)
    expect(rows).toHaveLength(5)
    expect(new Set(rows.map((r) => r.tenant))).toEqual(new Set(["meiwei"]))
    await shot("25-viewer-exports")

    // Through the console with the viewer's own token: another tenant's export and backfill are refused.
    const login = await fetch(`${url()}api/user/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(viewer) })
    const { accessToken } = (await login.json()) as { accessToken: string }
    const auth = { authorization: `Bearer ${accessToken}` }
    const crossExport = await fetch(`${url()}api/reward/exports/ledger?tenant=other-shop`, { headers: auth })
    expect(crossExport.status).toBe(422)
    const refusal = await crossExport.text()
    expect(JSON.parse(refusal)).toMatchObject({ field: "tenant", reason: "not a tenant you can read" })
    expect(refusal).not.toContain(stranger)
    const crossBackfill = await fetch(`${url()}api/campaign/campaign/${foreign}/backfill`, { headers: auth })
    expect(crossBackfill.status).toBe(404)
    const crossStart = await fetch(`${url()}api/campaign/campaign/${foreign}/backfill`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ from: "2026-01-01T00:00:00Z" }) })
    expect(crossStart.status).toBe(403)
  }, 60_000)
})
