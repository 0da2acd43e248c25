import { Effect, Schema } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import { decodeRows, isoTime } from "../../../db/rows.ts"
import { parseWindow } from "../../../domain/iso-duration.ts"
import { defaultProgram, MemberRedemption, NegativeBalance, type Program, type ProgramRules, rulesOf, Tier } from "./model.ts"

const ProgramRow = Schema.Struct({
  tenant: Schema.String,
  time_zone: Schema.String,
  pending_days: Schema.Number,
  points_expire_after: Schema.NullOr(Schema.String),
  negative_balance: NegativeBalance,
  tiers: Schema.Array(Tier),
  tier_window: Schema.NullOr(Schema.String),
  member_redemption: MemberRedemption,
  updated_at: Schema.String
})
const decodePrograms = decodeRows(ProgramRow)

const columns = (sql: Sql) => sql`
  tenant, time_zone, pending_days, points_expire_after, negative_balance, tiers, tier_window, member_redemption, ${isoTime(sql, "updated_at")} as updated_at`

const msOf = (duration: string | null) => {
  if (duration === null) return null
  const parsed = parseWindow(duration)
  return "ms" in parsed ? parsed.ms : null
}

/** The programs of `tenants`, the defaults for a tenant that has none. */
export const programsOf = (sql: Sql, tenants: ReadonlyArray<string>) =>
  exec(() => sql`select ${columns(sql)} from reward.programs where tenant = any(${[...new Set(tenants)]}::text[])`).pipe(
    Effect.flatMap(decodePrograms),
    Effect.map((rows) => {
      const found = new Map<string, Program>(rows.map((row) => [row.tenant, row]))
      return new Map(tenants.map((tenant) => [tenant, found.get(tenant) ?? defaultProgram(tenant)]))
    })
  )

export const programOf = (sql: Sql, tenant: string) => programsOf(sql, [tenant]).pipe(Effect.map((programs) => programs.get(tenant)!))

/** Replaces the tenant's program; it applies to credits from now on (a lot keeps the dates it got). */
export const saveProgram = (sql: Sql, program: Omit<Program, "updated_at">) =>
  exec(() => sql`
    insert into reward.programs (tenant, time_zone, pending_days, points_expire_after, expire_after_ms, negative_balance, tiers, tier_window, tier_window_ms, member_redemption)
    values (${program.tenant}, ${program.time_zone}, ${program.pending_days}, ${program.points_expire_after}, ${msOf(program.points_expire_after)},
            ${program.negative_balance}, ${JSON.stringify(program.tiers)}::text::jsonb, ${program.tier_window}, ${msOf(program.tier_window)},
            ${JSON.stringify(program.member_redemption)}::text::jsonb)
    on conflict (tenant) do update set
      time_zone = excluded.time_zone, pending_days = excluded.pending_days, points_expire_after = excluded.points_expire_after,
      expire_after_ms = excluded.expire_after_ms, negative_balance = excluded.negative_balance, tiers = excluded.tiers,
      tier_window = excluded.tier_window, tier_window_ms = excluded.tier_window_ms,
      member_redemption = excluded.member_redemption, updated_at = now()
    returning ${columns(sql)}`).pipe(Effect.flatMap(decodePrograms), Effect.map((rows) => rows[0]!))

/** The rules of the programs of `tenants`, by tenant. */
export const programRulesOf = (sql: Sql, tenants: ReadonlyArray<string>) =>
  programsOf(sql, tenants).pipe(Effect.map((programs) => new Map<string, ProgramRules>([...programs].map(([tenant, program]) => [tenant, rulesOf(program)]))))
