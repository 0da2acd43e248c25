import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { creditHandler } from "../../src/actors/reward/actor.ts"
import { rewardService } from "../../src/actors/reward/definition.ts"
import { RewardUseCases } from "../../src/actors/reward/service.ts"
import { Database } from "../../src/db/database.ts"
import { roundings } from "../../src/domain/earning.ts"
import { allTenants } from "../../src/domain/tenant-scope.ts"
import { processBatch } from "../../src/kafka/batch-processor.ts"
import type { TenantDirectory } from "../../src/tenants/directory.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { rawMessages } from "../support/messages.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { registerTenantsIn } from "../support/tenants.ts"
import { tenant } from "../support/values.ts"
import type { PointsLifecycle } from "../../src/actors/reward/lifecycle/service.ts"

let seed = 8128
const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(next() * items.length)]!
/** A random decimal text of up to `digits` whole digits and 0-4 places, at least `min`. */
const decimal = (digits: number, min = "0") => {
  const places = Math.floor(next() * 5)
  const whole = Math.floor(next() * 10 ** Math.floor(next() * (digits + 1)))
  const fraction = places === 0 ? "" : `.${String(Math.floor(next() * 10 ** places)).padStart(places, "0")}`
  const text = `${whole}${fraction}`
  return Number(text) < Number(min) ? min : text
}

interface Rule {
  readonly id: string
  readonly kind: "fixed" | "per_amount"
  readonly points: string | null
  readonly ppu: string | null
  readonly unit: string | null
  readonly rounding: (typeof roundings)[number] | null
  readonly max: string | null
}

const rules: ReadonlyArray<Rule> = Array.from({ length: 16 }, (_, i) => {
  const id = `b0000000-0000-4000-8000-${String(i).padStart(12, "0")}`
  return i % 4 === 0
    ? { id, kind: "fixed", points: decimal(4, "0.0001"), ppu: null, unit: null, rounding: null, max: null }
    : { id, kind: "per_amount", points: null, ppu: decimal(3, "0.0001"), unit: decimal(4, "0.0001"), rounding: roundings[i % 3]!, max: next() < 0.4 ? decimal(5, "0.0001") : null }
})

const users = Array.from({ length: 25 }, (_, i) => `user-${i}`)
const events = Array.from({ length: 800 }, (_, i) => {
  const rule = pick(rules)
  const own = next() < 0.15 ? { points: next() < 0.1 ? "0" : decimal(4) } : {}
  const basis = rule.kind === "per_amount" || next() < 0.5 ? { basis: next() < 0.05 ? "0" : decimal(6) } : {}
  return { tenant: "oracle", rewardId: rule.id, userId: pick(users), eventId: `ev-${i}`, campaignId: "33333333-3333-4333-8333-333333333333", ...basis, ...own }
})

describe("random reward events through the real credit SQL credit exactly what a decimal oracle says", () => {
  let database: TestDatabase
  let runtime: ReturnType<typeof useCasesRuntime<RewardUseCases | PointsLifecycle | TenantDirectory>>
  const run = <A, E>(effect: Effect.Effect<A, E, RewardUseCases | Database | TenantDirectory>) => runtime.runPromise(effect)
  const sql = () => run(Effect.map(Effect.service(Database), (db) => db.sql))

  beforeAll(async () => {
    database = await createTestDatabase()
    runtime = useCasesRuntime(database.url, rewardService.useCases)
    await registerTenantsIn(runtime, ["oracle"])
    await run(Effect.flatMap(Effect.service(RewardUseCases), (u) =>
      Effect.forEach(rules, (rule) =>
        u.createReward(allTenants, rule.kind === "fixed"
          ? { tenant: tenant("oracle"), reward_id: rule.id, reward_points: Number(rule.points) }
          : {
            tenant: tenant("oracle"),
            reward_id: rule.id,
            kind: "per_amount",
            points_per_unit: Number(rule.ppu),
            unit: Number(rule.unit),
            rounding: rule.rounding!,
            ...(rule.max === null ? {} : { max_points: Number(rule.max) })
          }))))
  })
  afterAll(async () => {
    await runtime.dispose()
    await database.drop()
  })

  test("800 events over 16 random rules: every ledger entry as the oracle counts it, no entry where it counts 0, every balance the sum", async () => {
    for (let start = 0; start < events.length; start += 100) {
      const outcome = await run(processBatch("reward", creditHandler, rawMessages("reward", events.slice(start, start + 100), { firstOffset: start })))
      expect(outcome.deadLettered).toBe(0)
    }
    const db = await sql()
    // The oracle: PostgreSQL numeric in integer steps (div), from the generated texts, not the stored rewards.
    const expected = await db<Array<{ event_id: string; user_id: string; points: string }>>`
      with rule as (
        select * from unnest(${rules.map((r) => r.id)}::text[], ${rules.map((r) => r.kind)}::text[], ${rules.map((r) => r.points)}::numeric[],
                             ${rules.map((r) => r.ppu)}::numeric[], ${rules.map((r) => r.unit)}::numeric[], ${rules.map((r) => r.rounding)}::text[],
                             ${rules.map((r) => r.max)}::numeric[]) as t(id, kind, points, ppu, unit, rounding, max)
      ),
      event as (
        select * from unnest(${events.map((e) => e.eventId)}::text[], ${events.map((e) => e.userId)}::text[], ${events.map((e) => e.rewardId)}::text[],
                             ${events.map((e) => e.basis ?? null)}::numeric[], ${events.map((e) => e.points ?? null)}::numeric[]) as t(event_id, user_id, reward_id, basis, points)
      ),
      counted as (
        select e.event_id, e.user_id, case
            when e.points is not null then e.points
            when r.kind = 'fixed' then r.points
            else (select case when r.max is null then raw else least(raw, r.max) end from (select case r.rounding
                when 'down' then div(e.basis, r.unit) * r.ppu
                when 'nearest' then div(2 * e.basis + r.unit, 2 * r.unit) * r.ppu
                else div(2 * e.basis * r.ppu * 10000 + r.unit, 2 * r.unit) / 10000
              end as raw) x)
          end as points
        from event e join rule r on r.id = e.reward_id
      )
      select event_id, user_id, trim_scale(points)::text as points from counted where points <> 0 order by event_id`
    const actual = await db<Array<{ event_id: string; user_id: string; points: string }>>`
      select event_id, user_id, trim_scale(amount)::text as points from reward.ledger where tenant = 'oracle' order by event_id`
    expect(expected.length).toBeGreaterThan(600)
    expect(expected.length).toBeLessThan(events.length)
    const differing = expected.filter((row, i) => JSON.stringify(row) !== JSON.stringify(actual[i]))
    expect(differing.slice(0, 5)).toEqual([])
    expect(actual.length).toBe(expected.length)

    const drift = await db<Array<{ user_id: string }>>`
      select b.user_id from reward.balances b
      left join unnest(${expected.map((e) => e.user_id)}::text[], ${expected.map((e) => e.points)}::numeric[]) as o(user_id, points) on o.user_id = b.user_id
      where b.tenant = 'oracle' group by b.user_id, b.points having b.points <> coalesce(sum(o.points), 0)`
    expect([...drift]).toEqual([])
    const [row] = await db<Array<{ n: number }>>`select count(distinct user_id)::int as n from reward.balances where tenant = 'oracle'`
    expect(row!.n).toBe(new Set(expected.map((e) => e.user_id)).size)
  })

  test("replaying all of it changes no balance", async () => {
    const db = await sql()
    const balances = () => db`select user_id, points::text from reward.balances where tenant = 'oracle' order by user_id`.then((rows) => [...rows])
    const before = await balances()
    const outcome = await run(processBatch("reward", creditHandler, rawMessages("reward", events, { firstOffset: 10_000 })))
    expect(outcome).toMatchObject({ applied: 0, duplicates: events.length })
    expect(await balances()).toEqual(before)
  })
})
