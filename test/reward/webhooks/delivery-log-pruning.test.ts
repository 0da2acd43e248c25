import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { startDeliveryLogPruning } from "../../../src/actors/reward/webhooks/actor.ts"
import { AppConfig } from "../../../src/config/app-config.ts"
import { migrate } from "../../../src/db/migrations.ts"
import { scratchDatabase, testConfig } from "../../support/layers.ts"

const hourMs = 3_600_000

describe("the webhook delivery log's pruning job", () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>
  const sql = <T>(text: string) => scratch.sql<T>(text)
  const left = () => sql<Array<{ event_id: string }>>(`select event_id from reward.webhook_deliveries order by event_id`)

  beforeAll(async () => {
    scratch = await scratchDatabase()
    await scratch.runtime.runPromise(migrate())
    await sql(`
      insert into reward.webhook_endpoints (tenant, id, url, events)
      values ('shop', '00000000-0000-4000-8000-000000000001', 'https://shop.example/hook', '{credited}'),
             ('other', '00000000-0000-4000-8000-000000000002', 'https://other.example/hook', '{credited}');
      insert into reward.webhook_deliveries (tenant, endpoint_id, event_id, event_type, user_id, payload, status, last_attempt_at)
      select t.tenant, t.endpoint::uuid, t.tenant || '-' || d.name, 'credited', 'u1', '{}', d.status, now() - d.age
      from (values ('shop', '00000000-0000-4000-8000-000000000001'), ('other', '00000000-0000-4000-8000-000000000002')) t(tenant, endpoint),
           (values ('old-delivered', 'delivered', interval '2 hours'), ('old-failed', 'failed', interval '2 hours'),
                   ('young', 'delivered', interval '1 minute'), ('pending', 'pending', interval '2 hours')) d(name, status, age);
      insert into reward.webhook_attempts (delivery_id, attempt, at, status, latency_ms)
      select id, 1, last_attempt_at, 200, 5 from reward.webhook_deliveries`)
  })
  afterAll(async () => {
    await scratch?.close()
  })

  test("each run prunes what is past the retention as of that run, whatever the tenant; pending deliveries stay", async () => {
    // A clock the test moves: two hours pass between the first run and a later one.
    let clock = Date.now()
    const config = testConfig({ pruneIntervalSeconds: 1, webhooks: { ...testConfig().webhooks, logRetentionDays: 1 / 24 } })
    const seen = await scratch.runtime.runPromise(Effect.scoped(Effect.gen(function*() {
      yield* startDeliveryLogPruning(() => clock)
      yield* Effect.sleep("500 millis")
      const afterFirst = yield* Effect.promise(left)
      clock += 2 * hourMs
      yield* Effect.sleep("1500 millis")
      return { afterFirst, later: yield* Effect.promise(left) }
    }).pipe(Effect.provideService(AppConfig, config))))
    expect(seen.afterFirst.map((r) => r.event_id)).toEqual(["other-pending", "other-young", "shop-pending", "shop-young"])
    expect(seen.later.map((r) => r.event_id)).toEqual(["other-pending", "shop-pending"])
    expect(await sql(`select count(*)::int as n from reward.webhook_attempts`)).toEqual([{ n: 2 }])
  })
})
