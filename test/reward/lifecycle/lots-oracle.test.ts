import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { picker, random } from "../../support/random.ts"
import { day, type Harness, lifecycleHarness, t0 } from "./harness.ts"

/** Points as whole ten-thousandths, so the oracle shares no arithmetic with the code it checks. */
const units = (text: string) => {
  const [whole = "0", fraction = ""] = text.replace("-", "").split(".")
  const value = BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, "0").slice(0, 4))
  return text.startsWith("-") ? -value : value
}
const text = (value: bigint) => {
  const sign = value < 0n ? "-" : ""
  const abs = value < 0n ? -value : value
  return `${sign}${abs / 10_000n}.${String(abs % 10_000n).padStart(4, "0")}`
}
const min = (a: bigint, b: bigint) => (a < b ? a : b)

interface OracleLot { key: string; points: bigint; remaining: bigint; reversed: bigint; availableAt: number; expiresAt: number; pending: boolean; expired: boolean }
interface OracleAccount { points: bigint; pending: bigint; lots: Array<OracleLot>; expiries: Map<string, bigint> }

/** The lifecycle as plainly as it can be said: lots, spent first-to-expire first, expired at their date. */
const oracle = (pendingMs: number, clamp: boolean) => {
  const accounts = new Map<string, OracleAccount>()
  const of = (user: string) => accounts.get(user) ?? (accounts.set(user, { points: 0n, pending: 0n, lots: [], expiries: new Map() }), accounts.get(user)!)
  const spend = (a: OracleAccount, wanted: bigint, first?: OracleLot) => {
    let left = wanted
    const order = a.lots.filter((l) => !l.pending && !l.expired && l !== first).sort((x, y) => (x.expiresAt === y.expiresAt ? 0 : x.expiresAt < y.expiresAt ? -1 : 1) || x.availableAt - y.availableAt || x.key.localeCompare(y.key))
    for (const lot of first && !first.pending && !first.expired ? [first, ...order] : order) {
      const taken = min(left, lot.remaining)
      lot.remaining -= taken
      left -= taken
    }
    return wanted - left
  }
  const spendable = (a: OracleAccount, lot: OracleLot, points: bigint) => {
    if (a.points < 0n) lot.remaining -= min(lot.remaining, -a.points)
    a.points += points
  }
  return {
    accounts,
    /** `expireMs` Infinity: never. */
    credit: (user: string, key: string, points: bigint, at: number, expireMs: number) => {
      const a = of(user)
      const lot = { key, points, remaining: points, reversed: 0n, availableAt: at + pendingMs, expiresAt: at + expireMs, pending: pendingMs > 0, expired: false }
      a.lots.push(lot)
      if (lot.pending) a.pending += points
      else spendable(a, lot, points)
    },
    redeem: (user: string, points: bigint) => {
      const a = of(user)
      if (points > a.points) return false
      spend(a, points)
      a.points -= points
      return true
    },
    reverse: (user: string, key: string, wanted: bigint | undefined) => {
      const a = of(user)
      const lot = a.lots.find((l) => l.key === key)!
      const points = wanted === undefined ? lot.points - lot.reversed : min(wanted, lot.points - lot.reversed)
      if (points <= 0n) return
      lot.reversed += points
      let rest = points
      if (lot.pending) {
        const taken = min(rest, lot.remaining)
        lot.remaining -= taken
        a.pending -= taken
        rest -= taken
      }
      if (rest === 0n) return
      const taken = spend(a, rest, lot)
      a.points -= clamp ? taken : rest
    },
    step: (now: number) => {
      for (const a of accounts.values()) {
        const due = a.lots.flatMap((lot) => [
          ...(!lot.expired && lot.expiresAt <= now ? [{ at: lot.expiresAt, order: 0, lot }] : []),
          ...(lot.pending && lot.availableAt <= now ? [{ at: lot.availableAt, order: 1, lot }] : [])
        ]).sort((x, y) => x.at - y.at || x.order - y.order || x.lot.key.localeCompare(y.lot.key))
        for (const { lot, order } of due) {
          if (lot.expired) continue
          if (order === 0) {
            if (lot.remaining > 0n) a.expiries.set(lot.key, lot.remaining)
            if (lot.pending) a.pending -= lot.remaining
            else a.points -= lot.remaining
            lot.remaining = 0n
            lot.expired = true
            lot.pending = false
          } else if (lot.pending) {
            lot.pending = false
            a.pending -= lot.remaining
            spendable(a, lot, lot.remaining)
          }
        }
      }
    }
  }
}

const decimal = (next: () => number, max: number) => text(BigInt(1 + Math.floor(next() * max * 10_000)))

describe("random credits, redemptions, reversals, expiry horizons and clock steps against a plain oracle of lots", () => {
  let h: Harness
  beforeAll(async () => {
    h = await lifecycleHarness(["oracle-allow", "oracle-clamp"])
    for (const tenant of ["oracle-allow", "oracle-clamp"]) {
      await h.program(tenant, { pending_days: 2, points_expire_after: "P5D", negative_balance: tenant === "oracle-clamp" ? "clamp" : "allow" })
    }
  })
  afterAll(() => h.close())

  for (const [tenant, seed] of [["oracle-allow", 20_261_202], ["oracle-clamp", 4_711]] as const) {
    test(`${tenant}, seed ${seed}: every balance, pending sum, lot remainder and expiry is the oracle's; every balance is the sum of its entries`, async () => {
      const next = random(seed)
      const pick = picker(next)
      const users = ["u1", "u2", "u3", "u4"]
      const model = oracle(2 * day, tenant === "oracle-clamp")
      const horizons = [["P5D", 5 * day], ["P2D", 2 * day], [null, Number.POSITIVE_INFINITY]] as const
      let horizon: (typeof horizons)[number] = horizons[0]
      const credited: Array<{ user: string; key: string }> = []
      let now = t0
      let n = 0
      for (let round = 0; round < 40; round++) {
        now += Math.floor(next() * 1.5 * day)
        await h.job(now)
        model.step(now)
        if (next() < 0.3) {
          horizon = pick(horizons)
          await h.program(tenant, { pending_days: 2, points_expire_after: horizon[0], negative_balance: tenant === "oracle-clamp" ? "clamp" : "allow" })
        }
        const credits = Array.from({ length: Math.floor(next() * 5) }, () => ({ tenant, userId: pick(users), eventId: `c${n++}`, points: decimal(next, 100), at: now }))
        if (credits.length > 0) await h.credit(credits)
        for (const c of credits) {
          model.credit(c.userId, `credit:${c.eventId}`, units(c.points), c.at, horizon[1])
          credited.push({ user: c.userId, key: c.eventId })
        }
        for (let i = 0; i < 2; i++) {
          const user = pick(users)
          const points = decimal(next, 80)
          const response = await h.request("POST", `/user-rewards/${user}/redemptions`, { tenant, points: Number(points), reason: "r", idempotencyKey: `r${n++}` })
          expect(response.status).toBe(model.redeem(user, units(points)) ? 201 : 409)
        }
        if (credited.length > 0 && next() < 0.6) {
          const target = pick(credited)
          const whole = next() < 0.3
          const points = decimal(next, 60)
          await h.revoke([{ tenant, userId: target.user, eventId: `v${n++}`, rewardEventId: target.key, at: now, ...(whole ? {} : { points }) }])
          model.reverse(target.user, `credit:${target.key}`, whole ? undefined : units(points))
        }
      }
      for (const user of users) {
        const expected = model.accounts.get(user)
        if (!expected) continue
        const balance = await h.balance(tenant, user)
        expect({ user, points: balance.points, pending: balance.pending }).toEqual({ user, points: Number(text(expected.points)), pending: Number(text(expected.pending)) })
        const lots = await h.lots(tenant, user)
        expect(lots.map((l) => [l.lot_key, l.remaining])).toEqual(expected.lots.map((l) => [l.key, text(l.remaining)]))
        expect(lots.every((l) => units(l.remaining) >= 0n)).toBe(true)
        const entries = await h.ledger(tenant, user)
        const [row] = await (await h.sql())<Array<{ amount: string; pending: string; lots: string; pending_lots: string }>>`
          select (select coalesce(sum(amount), 0)::text from reward.ledger where tenant = ${tenant} and user_id = ${user}) as amount,
                 (select coalesce(sum(pending_change), 0)::text from reward.ledger where tenant = ${tenant} and user_id = ${user}) as pending,
                 (select coalesce(sum(remaining), 0)::text from reward.lots where tenant = ${tenant} and user_id = ${user} and not pending and not expired) as lots,
                 (select coalesce(sum(remaining), 0)::text from reward.lots where tenant = ${tenant} and user_id = ${user} and pending) as pending_lots`
        expect(units(row!.amount)).toBe(expected.points)
        expect(units(row!.pending)).toBe(expected.pending)
        expect(units(row!.pending_lots)).toBe(expected.pending)
        // A balance is its lots' remainders; below zero only by what a reversal took beyond them.
        expect(units(row!.lots)).toBe(expected.points > 0n ? expected.points : 0n)
        // Each expiry is exactly its lot's unspent remainder.
        expect(entries.filter((e) => e.kind === "expiry").map((e) => -e.amount - e.pending).sort()).toEqual([...expected.expiries.values()].map((v) => Number(text(v))).sort())
      }
      if (tenant === "oracle-clamp") for (const user of users) expect((await h.balance(tenant, user)).points).toBeGreaterThanOrEqual(0)
    }, 120_000)
  }
})
