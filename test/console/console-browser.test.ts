import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Browser, Page } from "playwright-core"
import { openLocalPage, signInToConsole } from "../support/browser.ts"
import { api, eventually, produce } from "../support/flow.ts"
import { type LoyalteaProcess, spawnLoyaltea, testAdmin, waitStarted } from "../support/process.ts"

const purchaser = "0e41cc11-5e54-448b-a6ce-9c9a855ad202"
const viewer = { username: "meiwei-viewer", password: "a-long-enough-viewer-password" }

/**
 * The console in headless Chromium against a whole Loyaltea process (embedded broker and
 * database): the original README's scenario made through its forms, the purchase sent and
 * followed to the balance, a topic browsed, a dead letter sent again, and a viewer's read-only view.
 */
describe("the web console in a browser", () => {
  let lt: LoyalteaProcess
  // The shop's webhook receiver: every request it got, in order.
  const received: Array<{ id: string | null; body: { type?: string; userId?: string } }> = []
  const receiver = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (request) => {
      received.push({ id: request.headers.get("loyaltea-event-id"), body: (await request.json()) as { type?: string } })
      return new Response(null, { status: 204 })
    }
  })
  let browser: Browser
  let page: Page
  const shots = mkdtempSync(join(tmpdir(), "loyaltea-console-shots-"))
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })
  const url = () => `http://127.0.0.1:${lt.ports.console}/`

  beforeAll(async () => {
    lt = await spawnLoyaltea({ LOYALTEA_WEBHOOK_ALLOW_PRIVATE: "true" })
    await waitStarted(lt)
    const opened = await openLocalPage()
    browser = opened.browser
    page = opened.page
    console.log(`console screenshots in ${shots}`)
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await lt?.stop()
    receiver.stop(true)
  })

  const signIn = (username: string, password: string) => signInToConsole(page, url(), username, password)
  const tab = (label: string) => page.click(`.tabs button:has-text("${label}")`)
  const fill = (field: string, value: string) => page.fill(`.schema-form [name="${field}"]`, value)
  const submit = (label: string) => page.click(`.schema-form button[type=submit]:has-text("${label}")`)

  test("signs in, and shows the API's validation message at the field", async () => {
    await page.goto(url())
    await shot("01-sign-in")
    await signIn(testAdmin.username, testAdmin.password)
    await tab("Tenants")
    await page.click(".panel-head button:has-text('New')")
    await fill("id", "Not a slug!")
    await fill("name", "Meiwei Bakery")
    await submit("Create")
    const error = page.locator(".field.invalid .field-error")
    await error.first().waitFor()
    expect(await page.locator("label.field.invalid input[name=id]").count()).toBe(1)
    expect(await error.first().textContent()).toContain("letters, digits")
    await shot("02-tenant-validation")
  }, 60_000)

  test("creates the original scenario through the forms: tenant, reward, buy fulfillment, campaign", async () => {
    await fill("id", "meiwei")
    await submit("Create")
    await page.locator("[data-resource=tenants] td:has-text('meiwei')").first().waitFor()

    await tab("Rewards")
    await page.click(".panel-head button:has-text('New')")
    await fill("name", "100 points")
    await fill("reward_points", "100")
    await submit("Create")
    await page.locator("[data-resource=rewards] td:has-text('100 points')").waitFor()

    await tab("Buy fulfillments")
    await page.click(".panel-head button:has-text('New')")
    await fill("name", "bread")
    await fill("product", "bread")
    await fill("amount", "100")
    await submit("Create")
    await page.locator("[data-resource=buy-fulfillments] td:has-text('bread')").first().waitFor()

    // A tag fulfillment made, edited and deleted again: the scenario does not need it.
    await tab("Tag fulfillments")
    await page.click(".panel-head button:has-text('New')")
    await fill("name", "review")
    await fill("tag", "review")
    await submit("Create")
    const row = page.locator("[data-resource=tag-fulfillments] tbody tr:has-text('review')")
    await row.waitFor()
    await row.locator("button:has-text('Edit')").click()
    await fill("tag", "signup")
    await submit("Save")
    await page.locator("[data-resource=tag-fulfillments] td:has-text('signup')").waitFor()
    page.once("dialog", (dialog) => void dialog.accept())
    await page.locator("[data-resource=tag-fulfillments] tbody tr:has-text('signup') button:has-text('Delete')").click()
    await page.locator("[data-resource=tag-fulfillments] td.empty").waitFor()

    await tab("Campaigns")
    await page.click(".panel-head button:has-text('New')")
    await fill("name", "bread for points")
    await page.locator("[data-field=fulfillments] input[type=checkbox]").first().check()
    await page.locator("[data-field=rewards] input[type=checkbox]").first().check()
    await page.selectOption(".schema-form select[name=status]", "active")
    // A nested field the API refuses gets its message where it is typed.
    await fill("limits.perUser", "0")
    await submit("Create")
    await page.locator("label.field.invalid:has(input[name='limits.perUser']) .field-error").waitFor()
    expect(await page.locator("label.field.invalid:has(input[name='limits.perUser']) .field-error").textContent()).toContain("at least 1")
    await shot("03-campaign-form")
    await fill("limits.perUser", "")
    await submit("Create")
    await page.locator("[data-resource=campaigns] td:has-text('bread for points')").waitFor()
    await shot("04-campaigns")

    const http = api(lt)
    const campaigns = (await http.call("campaign", "GET", "/campaign?tenant=meiwei")).body as { campaigns: Array<{ fulfillments: Array<string>; rewards: Array<string>; status: string }> }
    expect(campaigns.campaigns).toHaveLength(1)
    expect(campaigns.campaigns[0]).toMatchObject({ status: "active" })
    expect(campaigns.campaigns[0]!.fulfillments).toHaveLength(1)
  }, 60_000)

  test("sends the original purchase after its dry run and watches it reach the balance", async () => {
    await page.click("nav a:has-text('Send & watch')")
    const event = JSON.parse(await page.inputValue("textarea[name=event]"))
    expect(event).toEqual({ tenant: "meiwei", product: "bread", amount: 101, userId: purchaser })
    await page.click("button:has-text('Dry run')")
    await page.locator(".dry-run pre").waitFor()
    expect(await page.locator(".dry-run pre").textContent()).toContain("matched")
    await page.click(".actions button.primary:has-text('Send')")
    await page.locator(".flow[data-state=landed]").waitFor({ timeout: 30_000 })
    await page.locator(".flow .balance").waitFor({ timeout: 10_000 })
    const topics = await page.locator(".flow .hop .topic").allTextContents()
    expect(topics).toEqual(["buy", "fulfillment", "reward", "reward-notify"])
    expect(await page.locator(".flow .balance").getAttribute("data-balance")).toBe("100")
    await shot("05-flow-landed")

    // The same purchase again, through the ingestion API this time: a second purchase, credited once more.
    await page.selectOption("select[name=via]", "api")
    await page.click(".actions button.primary:has-text('Send')")
    await page.locator(".flow .balance[data-balance='200']").waitFor({ timeout: 30_000 })
    // The balance can show before the new flow's hops are drawn: wait for the fourth hop.
    await page.locator(".flow .hop .topic").nth(3).waitFor({ timeout: 30_000 })
    expect(await page.locator(".flow .hop .topic").allTextContents()).toEqual(["buy", "fulfillment", "reward", "reward-notify"])
  }, 60_000)

  test("browses a topic: partitions, lag per group, and the purchase with its key", async () => {
    await page.click("nav a:has-text('Topics')")
    await page.click("tr[data-topic=buy]")
    await page.locator(".topic-detail .record").first().waitFor()
    const record = await page.locator(".topic-detail .record").first().textContent()
    expect(record).toContain(`meiwei:${purchaser}`)
    expect(record).toContain('"product": "bread"')
    expect(await page.locator(".topic-detail th:has-text('loyaltea-fulfillment')").count()).toBe(1)
    await shot("06-topic-buy")
  }, 60_000)

  test("shows a dead letter with its reason and sends it again, once per click, once its tenant exists", async () => {
    const http = api(lt)
    // A purchase of a shop that is not a tenant yet is dead-lettered by the fulfillment service.
    await produce(`127.0.0.1:${lt.ports.broker}`, "buy", [{ tenant: "late-shop", product: "bread", amount: 101, userId: purchaser }])
    await eventually(async () => ((await http.call("console", "GET", "/kafka/dead-letters")).body as { deadLetters: Array<unknown> }).deadLetters.length, (n) => n > 0)
    await page.click("nav a:has-text('Dead letters')")
    const letter = page.locator(".dead-letter").first()
    await letter.waitFor()
    expect(await letter.locator(".reason").textContent()).toContain("unknown tenant late-shop")
    await letter.locator("button:has-text('Send again')").click()
    await letter.locator(".note").waitFor()
    expect(await letter.locator(".note").textContent()).toContain("no tenant late-shop")

    await http.create("user", "/tenants", { id: "late-shop", name: "Late Shop" })
    await letter.locator("button:has-text('Send again')").click()
    await letter.locator(".note:has-text('sent again to buy')").waitFor({ timeout: 15_000 })
    await shot("07-dead-letter-resent")
    const buy = (await http.call("console", "GET", "/kafka/topics/buy/messages?limit=50")).body as { records: Array<{ headers: Record<string, string>; value: string }> }
    const resent = buy.records.filter((r) => r.headers["loyaltea-resent-from"]?.startsWith("buy.dlq/"))
    expect(resent).toHaveLength(1)
    expect(JSON.parse(resent[0]!.value)).toMatchObject({ tenant: "late-shop" })
  }, 60_000)

  test("shows a member's balance, ledger and progress, renewing an access token a service refuses", async () => {
    // The reward service refuses the token once, as it would an expired one: the page renews it and asks again.
    let refused = 0
    await page.route("**/api/reward/user-rewards/*/?tenant=*", (route) =>
      refused++ === 0
        ? route.fulfill({ status: 401, contentType: "application/problem+json", body: JSON.stringify({ status: 401, title: "Unauthorized", detail: "the token expired" }) })
        : route.continue())
    const refreshes: Array<number> = []
    page.on("response", (response) => void (response.url().endsWith("/api/user/auth/refresh") && refreshes.push(response.status())))
    await page.click("nav a:has-text('Members')")
    await page.click("button:has-text('Look up')")
    await page.locator(".balance[data-balance]").waitFor()
    expect(refreshes).toEqual([200])
    expect(refused).toBe(2)
    expect(await page.locator(".balance").getAttribute("data-balance")).toBe("200")
    expect(await page.locator("tbody tr:has-text('credit')").count()).toBe(2)
    expect(await page.locator(".progress h3").textContent()).toBe("bread for points")
    await shot("08-member")
    // The token the page mints reads this member's balance, as the shop's app would.
    await page.click("button:has-text('Mint member token')")
    const token = await page.locator("[data-member-token] code").textContent()
    const own = await fetch(`http://127.0.0.1:${lt.ports.reward}/user-rewards/${purchaser}/?tenant=meiwei`, { headers: { authorization: `Bearer ${token}` } })
    expect(((await own.json()) as { points: number }).points).toBe(200)
    const other = await fetch(`http://127.0.0.1:${lt.ports.reward}/user-rewards/someone-else/?tenant=meiwei`, { headers: { authorization: `Bearer ${token}` } })
    expect(other.status).toBe(403)
  }, 60_000)

  test("creates a webhook through its form, shows its secret once, and a credit's delivery in the log, sent again on a click", async () => {
    await page.click("nav a:has-text('Webhooks')")
    await page.click(".webhooks .panel-head button:has-text('New')")
    await fill("url", `http://127.0.0.1:${receiver.port}/hooks`)
    await page.locator("[data-field=events] label:has-text('credited') input[type=checkbox]").check()
    await submit("Create")
    await page.locator(".note.secret code").waitFor()
    expect(await page.locator(".note.secret code").textContent()).toMatch(/^whsec_/)
    await page.locator(`.webhooks td:has-text('127.0.0.1:${receiver.port}')`).waitFor()

    // A purchase after the endpoint exists: its credit is delivered.
    await produce(`127.0.0.1:${lt.ports.broker}`, "buy", [{ tenant: "meiwei", product: "bread", amount: 101, userId: purchaser, eventId: "console-webhook-1" }])
    await eventually(async () => received.length, (n) => n >= 1, 30_000)
    await page.click(".webhooks button:has-text('Deliveries')")
    const row = page.locator(".deliveries tbody tr[data-delivery]").first()
    await row.waitFor()
    await page.locator(".deliveries td.status.delivered").first().waitFor({ timeout: 15_000 })
    expect(await row.textContent()).toContain("credited")
    await shot("09-webhook-delivered")
    await row.locator("button:has-text('Redeliver')").click()
    await page.locator(".deliveries .note:has-text('queued again')").waitFor()
    await eventually(async () => received.length, (n) => n >= 2, 30_000)
    // Sent again with the same event id, so the receiver can drop it as a duplicate.
    expect(received[1]!.id).toBe(received[0]!.id)
    expect(received[0]!.id).not.toBeNull()
  }, 90_000)

  test("signs out; a viewer sees no write buttons anywhere", async () => {
    const http = api(lt)
    await http.create("user", "/operators", { ...viewer, role: "tenant-viewer", tenant: "meiwei" })
    // A dead letter of the viewer's own tenant, so that there is a "send again" it must not get.
    await produce(`127.0.0.1:${lt.ports.broker}`, "buy", [{ tenant: "meiwei", product: "bread", amount: "lots", userId: purchaser }])
    const mine = async () => ((await http.call("console", "GET", "/kafka/dead-letters")).body as { deadLetters: Array<{ deadLetter: { value: string } }> }).deadLetters
    await eventually(mine, (letters) => letters.some((l) => l.deadLetter.value.includes('"lots"')))
    await page.click("header.top button:has-text('Sign out')")
    await page.waitForSelector("input[name=username]")
    await signIn(viewer.username, viewer.password)
    expect(await page.locator("header.top .tenant").textContent()).toContain("meiwei")
    await page.locator("[data-resource=rewards] td:has-text('100 points')").waitFor()
    expect(await page.locator(".panel-head button:has-text('New')").count()).toBe(0)
    expect(await page.locator("button:has-text('Edit'), button:has-text('Delete')").count()).toBe(0)
    await shot("10-viewer-program")
    await page.click("nav a:has-text('Send & watch')")
    expect(await page.locator("button:has-text('Send'), button:has-text('Dry run')").count()).toBe(0)
    await page.click("nav a:has-text('Dead letters')")
    await page.locator(".dead-letter .reason").first().waitFor()
    // Only its own tenant's dead letter, and no way to send it again.
    expect(await page.locator(".dead-letter").count()).toBe(1)
    expect(await page.locator(".dead-letter .reason").textContent()).toContain("amount")
    expect(await page.locator("button:has-text('Send again')").count()).toBe(0)
    await shot("11-viewer-dead-letters")
    await page.click("nav a:has-text('Webhooks')")
    await page.locator(".webhooks button:has-text('Deliveries')").first().waitFor()
    await page.click(".webhooks button:has-text('Deliveries')")
    await page.locator(".deliveries tbody tr[data-delivery]").first().waitFor()
    expect(await page.locator("button:has-text('New'), button:has-text('Disable'), button:has-text('Delete'), button:has-text('Redeliver')").count()).toBe(0)
  }, 60_000)
})
