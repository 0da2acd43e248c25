import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { rewardService } from "../../../src/actors/reward/definition.ts"
import { runLifecycle } from "../../../src/actors/reward/lifecycle/jobs.ts"
import type { PointsLifecycle } from "../../../src/actors/reward/lifecycle/service.ts"
import type { RewardUseCases } from "../../../src/actors/reward/service.ts"
import type { TenantDirectory } from "../../../src/tenants/directory.ts"
import { useCasesRuntime } from "../../support/layers.ts"
import { spawnLoyaltea } from "../../support/process.ts"
import { day, type Harness, lifecycleHarness } from "./harness.ts"

/** Per user: a lot due to activate, and an older one due to activate and then to expire. */
const seed = async (h: Harness, tenant: string, users: number, now: number) => {
  const events = Array.from({ length: users }, (_, i) => [
    { tenant, userId: `u${i}`, eventId: `${tenant}-a-${i}`, points: "10", at: now - 20 * day },
    { tenant, userId: `u${i}`, eventId: `${tenant}-b-${i}`, points: "7.5", at: now - 40 * day }
  ]).flat()
  for (let i = 0; i < events.length; i += 2000) await h.credit(events.slice(i, i + 2000))
}

/** Every lot activated once and the old one expired once, for exactly what it held; every balance what is left. */
const expectExact = async (h: Harness, tenant: string, users: number) => {
  const [counts] = await (await h.sql())<Array<{ activations: string; expiries: string; expired: string; per_lot: string; wrong_balances: string; pending_lots: string }>>`
    select (select count(*) from reward.ledger where tenant = ${tenant} and kind = 'activation') as activations,
           (select count(*) from reward.ledger where tenant = ${tenant} and kind = 'expiry') as expiries,
           (select count(*) from reward.ledger where tenant = ${tenant} and kind = 'expiry' and amount <> -7.5) as expired,
           (select count(*) from (select lot_id, kind from reward.ledger where tenant = ${tenant} and lot_id is not null
                                  group by lot_id, kind having count(*) > 1) d) as per_lot,
           (select count(*) from reward.balances b where tenant = ${tenant} and (points <> 10 or pending <> 0
              or points <> (select sum(amount) from reward.ledger l where l.tenant = b.tenant and l.user_id = b.user_id))) as wrong_balances,
           (select count(*) from reward.lots where tenant = ${tenant} and (pending or (lot_key like '%-b-%' and (not expired or remaining <> 0)))) as pending_lots`
  expect(counts).toEqual({ activations: String(2 * users), expiries: String(users), expired: "0", per_lot: "0", wrong_balances: "0", pending_lots: "0" })
}

describe("the lifecycle job: exactly once with two runners and across a SIGKILL", () => {
  let h: Harness
  beforeAll(async () => {
    h = await lifecycleHarness(["race", "killed"])
    for (const tenant of ["race", "killed"]) await h.program(tenant, { pending_days: 14, points_expire_after: "P30D" })
  })
  afterAll(() => h.close())

  test("two job runners racing on one database activate and expire every lot once", async () => {
    const now = Date.now()
    await seed(h, "race", 1500, now)
    const second = useCasesRuntime<RewardUseCases | PointsLifecycle | TenantDirectory>(h.database.url, rewardService.useCases)
    try {
      const [a, b] = await Promise.all([h.runtime.runPromise(runLifecycle(now)), second.runPromise(runLifecycle(now))])
      // Between them they made every entry, and neither made one the other made.
      expect(a.entries + b.entries).toBe(3 * 1500)
      await expectExact(h, "race", 1500)
      expect((await h.job(now)).entries).toBe(0)
    } finally {
      await second.dispose()
    }
  }, 120_000)

  test("a reward process killed with SIGKILL in the middle of a job run leaves every lot exact once the job runs again", async () => {
    const users = 4000
    await seed(h, "killed", users, Date.now())
    const lt = await spawnLoyaltea({ DATABASE_URL: h.database.url, LOYALTEA_SERVICES: "reward", LOG_LEVEL: "warn" })
    let done = 0
    const started = Date.now()
    while (Date.now() - started < 60_000) {
      const [row] = await (await h.sql())<Array<{ n: string }>>`select count(*) as n from reward.ledger where tenant = 'killed' and kind = 'activation'`
      done = Number(row!.n)
      if (done > 0) break
      await Bun.sleep(10)
    }
    lt.proc.kill("SIGKILL")
    await lt.exited
    const [row] = await (await h.sql())<Array<{ n: string }>>`select count(*) as n from reward.ledger where tenant = 'killed' and kind in ('activation', 'expiry')`
    // The kill landed between rounds or inside one: some entries made, not all.
    expect(Number(row!.n)).toBeGreaterThan(0)
    expect(Number(row!.n)).toBeLessThan(3 * users)
    await h.job(Date.now())
    await expectExact(h, "killed", users)
  }, 120_000)
})
