import { Effect, Schema } from "effect"
import { exec, type Sql } from "../../db/database.ts"
import { periodOf } from "../../domain/calendar.ts"
import * as D from "../../domain/decimal.ts"
import { Forbidden, InvalidInput } from "../../domain/errors.ts"
import type { ProgramRules } from "./program/model.ts"

/** A member's redemption would pass what the tenant lets members redeem in a day. */
export class MemberRedemptionLimit extends Schema.TaggedError<MemberRedemptionLimit>()("MemberRedemptionLimit", {
  limit: Schema.String,
  allowed: Schema.Number,
  used: Schema.Number,
  requested: Schema.Number
}) {
  override get message() {
    return `${this.limit}: members may redeem ${this.allowed} points a day; ${this.used} redeemed today, ${this.requested} more asked for`
  }
}

/** The points the member redeemed themselves in [start, end), apart from the redemption being made. */
const redeemedByMember = (tx: Sql, target: { tenant: string; userId: string; exceptId: string }, start: number, end: number) =>
  exec(() => tx<Array<{ points: string }>>`
    select coalesce(sum(points), 0)::text as points from reward.redemptions
    where tenant = ${target.tenant} and user_id = ${target.userId} and by_member and id <> ${target.exceptId}
      and created_at >= ${new Date(start)} and created_at < ${new Date(end)}`).pipe(Effect.map((rows) => D.fromText(rows[0]!.points)))

/**
 * The tenant's limits on what a member redeems with a member token: allowed at all, at most so
 * much at once, at most so much in a calendar day of the program's time zone (the day `now` falls
 * in). Checked with the account locked, so two redemptions at once cannot both pass the day's limit.
 */
export const withinMemberLimits = (
  tx: Sql,
  rules: ProgramRules,
  redemption: { readonly tenant: string; readonly userId: string; readonly id: string; readonly points: number; readonly now: number }
) =>
  Effect.gen(function*() {
    const limits = rules.memberRedemption
    if (!limits.enabled) return yield* new Forbidden({ reason: "member_redemption.enabled: this program does not let members redeem on their own" })
    const points = D.fromNumber(redemption.points)
    if (limits.max_points_per_redemption !== null && D.compare(points, D.fromNumber(limits.max_points_per_redemption)) > 0) {
      return yield* new InvalidInput({ field: "points", reason: `more than member_redemption.max_points_per_redemption (${limits.max_points_per_redemption})` })
    }
    if (limits.max_points_per_day === null) return
    const day = periodOf(redemption.now, "day", rules.timeZone)
    const used = yield* redeemedByMember(tx, { tenant: redemption.tenant, userId: redemption.userId, exceptId: redemption.id }, day.start, day.end)
    if (D.compare(D.add(used, points), D.fromNumber(limits.max_points_per_day)) > 0) {
      return yield* new MemberRedemptionLimit({
        limit: "member_redemption.max_points_per_day",
        allowed: limits.max_points_per_day,
        used: D.toNumber(used),
        requested: redemption.points
      })
    }
  })
