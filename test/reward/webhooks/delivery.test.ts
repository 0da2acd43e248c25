import type { PointsLifecycle } from "../../../src/actors/reward/lifecycle/service.ts"
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test"
import { Effect, Scope } from "effect"
import type { AnyElysia } from "elysia"
import { rewardService } from "../../../src/actors/reward/definition.ts"
import type { RewardUseCases } from "../../../src/actors/reward/service.ts"
import { completionWebhooks, notifyWebhooks } from "../../../src/actors/reward/webhooks/consumer.ts"
import { type RelayOptions, startWebhookRelay } from "../../../src/actors/reward/webhooks/relay.ts"
import type { WebhookUseCases } from "../../../src/actors/reward/webhooks/service.ts"
import type { ExportUseCases } from "../../../src/actors/reward/exports/service.ts"
import type { OpeningImports } from "../../../src/actors/reward/imports/service.ts"
import { Database } from "../../../src/db/database.ts"
import { processBatch } from "../../../src/kafka/batch-processor.ts"
import type { TenantDirectory } from "../../../src/tenants/directory.ts"
import { appOver, request } from "../../support/app.ts"
import { eventually } from "../../support/flow.ts"
import { useCasesRuntime } from "../../support/layers.ts"
import { rawMessages } from "../../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../../support/postgres.ts"
import { registerTenantsIn } from "../../support/tenants.ts"
import { type Received, startReceiver, verifySignature } from "./receiver.ts"

type Delivery = { id: string; eventId: string; status: string; attempts: number; log: Array<{ status: number | null; error: string | null; latencyMs: number; responseExcerpt: string | null }> }

const notify = (tenant: string, userId: string, eventId: string, extra: Record<string, unknown> = {}) =>
  ({ tenant, userId, eventId, points: 10, balance: 10, ...extra })

describe("webhook deliveries to a real receiver", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<RewardUseCases | PointsLifecycle | WebhookUseCases | ExportUseCases | OpeningImports | TenantDirectory>>
  let app: AnyElysia
  let receivers: Array<ReturnType<typeof startReceiver>> = []
  let scopes: Array<Scope.Closeable> = []
  let offset = 0

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, rewardService.useCases)
    await registerTenantsIn(runtime, ["wh", "wh-other"])
    app = await appOver(runtime, "reward", rewardService.routes)
  })
  beforeEach(async () => {
    for (const scope of scopes) await runtime.runPromise(Scope.close(scope, Effect.void as never))
    for (const receiver of receivers) receiver.stop()
    scopes = []
    receivers = []
    // Every test starts with no endpoint, so no other test's deliveries are in its way.
    await runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => Effect.promise(() => db.sql`delete from reward.webhook_endpoints`)))
  })
  afterAll(async () => {
    for (const scope of scopes) await runtime.runPromise(Scope.close(scope, Effect.void as never))
    for (const receiver of receivers) receiver.stop()
    await runtime?.dispose()
    await database?.drop()
  })

  const receiver = (answer?: Parameters<typeof startReceiver>[0]) => {
    const started = startReceiver(answer)
    receivers.push(started)
    return started
  }
  const relay = async (options: RelayOptions = {}) => {
    const scope = await runtime.runPromise(Scope.make())
    scopes.push(scope)
    await runtime.runPromise(startWebhookRelay(options).pipe(Scope.provide(scope)) as unknown as Effect.Effect<void>)
  }
  const endpoint = async (url: string, events: Array<string> = ["credited", "redeemed", "campaign-completed"], tenant = "wh") => {
    const response = await request(app, "POST", "/webhooks", { tenant, url, events })
    expect(response.status).toBe(201)
    return (await response.json()) as { id: string; secret: string }
  }
  const consume = (handler: typeof notifyWebhooks | typeof completionWebhooks, values: ReadonlyArray<unknown>, firstOffset?: number) => {
    const at = firstOffset ?? offset
    offset = Math.max(offset, at + values.length)
    return runtime.runPromise(processBatch("reward", handler as typeof notifyWebhooks, rawMessages(handler.topic, values, { firstOffset: at, timestamp: Date.now() })))
  }
  const deliveries = async (webhookId: string) => (await (await request(app, "GET", `/webhooks/${webhookId}/deliveries`)).json() as { items: Array<Delivery> }).items
  const settled = (webhookId: string, count: number, timeoutMs = 20_000) =>
    eventually(() => deliveries(webhookId), (list) => list.length === count && list.every((d) => d.status !== "pending"), timeoutMs)

  test("each request is signed with every active secret, carries a stable event id, and a replayed event adds nothing", async () => {
    const target = receiver()
    const hook = await endpoint(target.url)
    const rotated = (await (await request(app, "POST", `/webhooks/${hook.id}/secrets`)).json()) as { secret: string }
    const events = [notify("wh", "u1", "n-1"), notify("wh", "u1", "n-2", { kind: "redeemed", points: -5, balance: 5 }), notify("wh", "u2", "n-3", { kind: "expired" })]
    await consume(notifyWebhooks, events, 0)
    await consume(notifyWebhooks, events, 0)
    await relay()
    const list = await settled(hook.id, 2)
    expect(list.map((d) => d.status)).toEqual(["delivered", "delivered"])
    expect(target.received).toHaveLength(2)
    for (const got of target.received) {
      // Both secrets verify during the rotation, each on its own; a wrong one never does.
      expect(verifySignature(got.headers["loyaltea-signature"], got.body, hook.secret)).toBe(true)
      expect(verifySignature(got.headers["loyaltea-signature"], got.body, rotated.secret)).toBe(true)
      expect(verifySignature(got.headers["loyaltea-signature"], got.body, "whsec_not-the-secret")).toBe(false)
      expect(verifySignature(got.headers["loyaltea-signature"], `${got.body} `, hook.secret)).toBe(false)
      expect(got.headers["loyaltea-signature"]!.match(/v1=/g)).toHaveLength(2)
      const body = JSON.parse(got.body) as { id: string; type: string; tenant: string; data: { eventId: string } }
      expect(got.headers["loyaltea-event-id"]).toBe(body.id)
      expect(got.headers["loyaltea-event-type"]).toBe(body.type)
      expect(body.tenant).toBe("wh")
    }
    expect(target.received.map((r) => JSON.parse(r.body).type)).toEqual(["credited", "redeemed"])
    expect(target.received.map((r) => JSON.parse(r.body).data.eventId)).toEqual(["n-1", "n-2"])
    // Sent again: same event id, same body.
    const first = target.received[0]!
    const again = await request(app, "POST", `/webhooks/${hook.id}/deliveries/${list[1]!.id}/redeliver`)
    expect(again.status).toBe(202)
    expect(await eventually(async () => target.received.length, (n) => n === 3)).toBe(3)
    expect(target.received[2]!.headers["loyaltea-event-id"]).toBe(first.headers["loyaltea-event-id"])
    expect(target.received[2]!.body).toBe(first.body)
  })

  test("a campaign completion is delivered as campaign-completed, only to endpoints subscribed to it and of its tenant", async () => {
    const subscribed = receiver()
    const other = receiver()
    const foreign = receiver()
    const hook = await endpoint(subscribed.url, ["campaign-completed"])
    await endpoint(other.url, ["credited"])
    await endpoint(foreign.url, ["campaign-completed"], "wh-other")
    const campaign = "11111111-1111-4111-8111-111111111111"
    await consume(completionWebhooks, [{ tenant: "wh", rewardId: campaign, userId: "u9", eventId: "r-1", campaignId: campaign, occurredAt: "2026-05-01T10:00:00.000Z" }])
    await relay()
    await settled(hook.id, 1)
    expect(subscribed.received).toHaveLength(1)
    expect(JSON.parse(subscribed.received[0]!.body)).toMatchObject({ type: "campaign-completed", occurredAt: "2026-05-01T10:00:00.000Z", data: { userId: "u9", campaignId: campaign } })
    await Bun.sleep(300)
    expect(other.received).toHaveLength(0)
    expect(foreign.received).toHaveLength(0)
  })

  test("a delivery is retried through 500s and a timeout, and every attempt is in the log", async () => {
    const target = receiver(async (_request, index) => {
      if (index < 2) return new Response("database down", { status: 500 })
      if (index === 2) await Bun.sleep(1500)
      return new Response("thanks")
    })
    const hook = await endpoint(target.url)
    await consume(notifyWebhooks, [notify("wh", "u1", "retry-1")])
    await relay({ settings: { timeoutMs: 500, backoffBaseMs: 20, backoffMaxMs: 100 } })
    const [delivery] = await settled(hook.id, 1)
    expect(delivery!.status).toBe("delivered")
    expect(delivery!.attempts).toBe(4)
    expect(delivery!.log.map((a) => a.status)).toEqual([500, 500, null, 200])
    expect(delivery!.log[0]!.responseExcerpt).toBe("database down")
    expect(delivery!.log[2]!.error).toContain("no answer within 500 ms")
    expect(delivery!.log[2]!.latencyMs).toBeGreaterThanOrEqual(450)
    expect(delivery!.log[3]!.responseExcerpt).toBe("thanks")
    // Every attempt carried the same event id.
    expect(new Set(target.received.map((r) => r.headers["loyaltea-event-id"])).size).toBe(1)
  })

  test("after the retry window (on the relay's clock) a delivery is failed; sustained failure disables the endpoint", async () => {
    let clock = Date.parse("2026-06-01T12:00:00Z")
    const target = receiver(() => new Response("x".repeat(5000), { status: 503 }))
    const hook = await endpoint(target.url)
    await consume(notifyWebhooks, [notify("wh", "u1", "give-up-1"), notify("wh", "u2", "give-up-2")])
    await relay({ now: () => clock, random: () => 0.5, settings: { retryForMs: 3_600_000, backoffBaseMs: 60_000, backoffMaxMs: 1_800_000, disableAfterMs: 6_000_000, disableAfterFailures: 4 } })
    const attemptsOf = async () => (await deliveries(hook.id)).reduce((n, d) => n + d.attempts, 0)
    // One attempt each, then nothing while the relay's clock stands still.
    await eventually(attemptsOf, (n) => n === 2)
    await Bun.sleep(300)
    expect(await attemptsOf()).toBe(2)
    for (let minutes = 0; minutes < 70; minutes += 5) {
      clock += 5 * 60_000
      await Bun.sleep(120)
    }
    const list = await settled(hook.id, 2)
    expect(list.map((d) => d.status)).toEqual(["failed", "failed"])
    const firstPage = (await (await request(app, "GET", `/webhooks/${hook.id}/deliveries?status=failed&limit=1`)).json()) as { items: Array<Delivery>; nextCursor: string | null }
    expect(firstPage.items.map((d) => d.id)).toEqual([list[0]!.id])
    expect(await (await request(app, "GET", `/webhooks/${hook.id}/deliveries?status=delivered`)).json()).toEqual({ items: [], nextCursor: null })
    const secondPage = (await (await request(app, "GET", `/webhooks/${hook.id}/deliveries?status=failed&limit=1&cursor=${firstPage.nextCursor}`)).json()) as { items: Array<Delivery>; nextCursor: string | null }
    expect(secondPage.items.map((d) => d.id)).toEqual([list[1]!.id])
    // An answer is kept only as an excerpt.
    expect(list[0]!.log[0]!.responseExcerpt!.length).toBe(1024)
    const endpointNow = (await (await request(app, "GET", `/webhooks/${hook.id}`)).json()) as { enabled: boolean; consecutiveFailures: number }
    // Failing for 70 minutes is not yet sustained (100 minutes): the endpoint is still enabled.
    expect(endpointNow.enabled).toBe(true)

    // A manual redelivery gets a fresh window, with short waits again; past 100 minutes of failing, the endpoint is disabled.
    expect((await request(app, "POST", `/webhooks/${hook.id}/deliveries/${list[0]!.id}/redeliver`)).status).toBe(202)
    expect((await request(app, "POST", `/webhooks/${hook.id}/deliveries/${list[0]!.id}/redeliver`)).status).toBe(409)
    const before = await attemptsOf()
    expect(await eventually(attemptsOf, (n) => n === before + 1)).toBe(before + 1)
    // The window's second attempt comes after the first wait (45 s here), not after the longest.
    clock += 60_000
    expect(await eventually(attemptsOf, (n) => n === before + 2)).toBe(before + 2)
    for (let minutes = 0; minutes < 70; minutes += 5) {
      clock += 5 * 60_000
      await Bun.sleep(120)
    }
    const disabled = await eventually(
      async () => (await (await request(app, "GET", `/webhooks/${hook.id}`)).json()) as { enabled: boolean; disabledReason: string | null },
      (e) => !e.enabled
    )
    expect(disabled.disabledReason).toContain("every attempt failed since")
    const sent = target.received.length
    await request(app, "POST", `/webhooks/${hook.id}/deliveries/${list[1]!.id}/redeliver`)
    clock += 3_600_000
    await Bun.sleep(400)
    // Nothing goes to a disabled endpoint, until an operator enables it again.
    expect(target.received.length).toBe(sent)
    const enabled = await request(app, "PUT", `/webhooks/${hook.id}`, { url: target.url, events: ["credited"], enabled: true })
    expect(await enabled.json()).toMatchObject({ enabled: true, disabledReason: null, consecutiveFailures: 0, failingSince: null })
    expect(await eventually(async () => target.received.length, (n) => n > sent)).toBeGreaterThan(sent)
  })

  test("an attempt whose lease ran out (another relay holds the row now) is not recorded over the new holder's", async () => {
    let answered = false
    const target = receiver(async () => {
      await Bun.sleep(400)
      answered = true
      return new Response("late")
    })
    const hook = await endpoint(target.url)
    await consume(notifyWebhooks, [notify("wh", "u1", "lease-1")])
    await relay()
    expect(await eventually(async () => target.received.length, (n) => n === 1)).toBe(1)
    // Meanwhile the lease is taken over, as a relay would once it had run out.
    await runtime.runPromise(Effect.flatMap(Effect.service(Database), (db) => Effect.promise(() => db.sql`update reward.webhook_deliveries set leased_until = now() + interval '1 hour'`)))
    expect(await eventually(async () => answered, (done) => done)).toBe(true)
    await Bun.sleep(300)
    const [delivery] = await deliveries(hook.id)
    expect(delivery).toMatchObject({ status: "pending", attempts: 0, log: [] })
  })

  test("a member's deliveries go out in order: the next waits while an earlier one is retried; other members do not wait", async () => {
    let failuresLeft = 3
    const target = receiver((got) => {
      const body = JSON.parse(got.body) as { data: { eventId: string } }
      if (body.data.eventId === "o-1" && failuresLeft > 0) {
        failuresLeft--
        return new Response("not yet", { status: 500 })
      }
      return new Response("ok")
    })
    const hook = await endpoint(target.url)
    await consume(notifyWebhooks, [notify("wh", "ann", "o-1"), notify("wh", "ann", "o-2"), notify("wh", "bob", "o-3"), notify("wh", "ann", "o-4")])
    await relay({ settings: { backoffBaseMs: 150, backoffMaxMs: 300 } })
    await settled(hook.id, 4)
    const delivered = (got: Received) => JSON.parse(got.body).data.eventId as string
    const ann = target.received.filter((r) => JSON.parse(r.body).data.userId === "ann").map(delivered)
    expect(ann).toEqual(["o-1", "o-1", "o-1", "o-1", "o-2", "o-4"])
    // Bob's delivery did not wait for Ann's retries.
    const order = target.received.map(delivered)
    expect(order.indexOf("o-3")).toBeLessThan(order.lastIndexOf("o-1"))
  })

  test("without LOYALTEA_WEBHOOK_ALLOW_PRIVATE a target resolving to a private address gets nothing; redirects are never followed", async () => {
    const target = receiver((got) => (got.path === "/hooks" ? new Response(null, { status: 302, headers: { location: "/elsewhere" } }) : new Response("followed")))
    const local = await endpoint(target.url)
    await consume(notifyWebhooks, [notify("wh", "u1", "redirect-1")])
    await relay({ settings: { retryForMs: 1 } })
    const [redirected] = await settled(local.id, 1)
    expect(redirected!.status).toBe("failed")
    expect(redirected!.log[0]).toMatchObject({ status: 302, error: "redirect to /elsewhere not followed" })
    expect(target.received.map((r) => r.path)).toEqual(["/hooks"])
    for (const scope of scopes.splice(0)) await runtime.runPromise(Scope.close(scope, Effect.void as never))

    // A name that resolves to a public and a private address is refused: every address is checked.
    const named = await endpoint("http://hooks.shop.test/loyaltea")
    await consume(notifyWebhooks, [notify("wh", "u1", "private-1")])
    await relay({ resolve: async () => ["93.184.216.34", "10.0.0.7"], settings: { allowPrivate: false, retryForMs: 1 } })
    const [refused] = await settled(named.id, 1)
    expect(refused!.log[0]!.status).toBeNull()
    expect(refused!.log[0]!.error).toBe("refused: hooks.shop.test resolves to 10.0.0.7, a private address")
  })

  test("a name that turns private between the check and the connection (DNS rebinding) reaches nothing: the connection checks what it connects to", async () => {
    const target = receiver()
    const port = new URL(target.url).port
    const hook = await endpoint(`http://rebind.shop.test:${port}/hooks`)
    await consume(notifyWebhooks, [notify("wh", "u1", "rebind-1")])
    let lookups = 0
    await relay({ resolve: async () => (lookups++ === 0 ? ["93.184.216.34"] : ["127.0.0.1"]), settings: { allowPrivate: false, retryForMs: 1 } })
    const [refused] = await settled(hook.id, 1)
    expect(refused!.log[0]!.error).toBe("refused: rebind.shop.test resolves to 127.0.0.1, a loopback address")
    expect(lookups).toBe(2)
    expect(target.received).toHaveLength(0)
  })
})
