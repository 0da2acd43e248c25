import * as D from "../../../domain/decimal.ts"
import type { Member, Progress } from "../progress.ts"

/**
 * A member whose spend a refund shrank to `basis`, and the round's spend with it: only a member
 * whose spend was counted in the round's lowers it (one purchase meeting two fulfillments counts once).
 */
export const shrunkMember = (member: Member, roundBasis: D.Decimal | undefined, basis: D.Decimal) => {
  if (!member.counted || member.basis === undefined || D.compare(basis, member.basis) >= 0) return { member, roundBasis }
  const lost = D.sub(member.basis, basis)
  return { member: { ...member, basis }, roundBasis: roundBasis === undefined ? roundBasis : D.max(D.zero, D.sub(roundBasis, lost)) }
}

export const replaceMember = (members: ReadonlyArray<Member>, member: Member) => members.map((m) => (m.eventId === member.eventId ? member : m))

/**
 * An open round once a refund reached one of its members: taken out (`holds: false`, so its
 * fulfillment is to be met again, and its spend and orders leave with it) or counted on less spend.
 * Undefined when nothing changes.
 */
export const revokedInOpenRound = (progress: Progress, member: Member, holds: boolean, basis: D.Decimal | undefined): Progress | undefined => {
  const { basis: roundBasis, orderIds: roundOrders, members: roundMembers, ...rest } = progress
  if (holds) {
    if (basis === undefined) return undefined
    const shrunk = shrunkMember(member, roundBasis, basis)
    if (shrunk.member === member) return undefined
    return { ...rest, ...(roundOrders && { orderIds: roundOrders }), ...(shrunk.roundBasis !== undefined && { basis: shrunk.roundBasis }), members: replaceMember(roundMembers ?? [], shrunk.member) }
  }
  const members = (roundMembers ?? []).filter((m) => m.eventId !== member.eventId)
  const left = member.counted && member.basis !== undefined && roundBasis !== undefined ? D.max(D.zero, D.sub(roundBasis, member.basis)) : roundBasis
  const leaving = new Set(member.orderIds)
  const orderIds = (roundOrders ?? []).filter((id) => !leaving.has(id))
  return {
    ...rest,
    completed: progress.completed.filter((id) => id !== member.fulfillmentId),
    ...(left !== undefined && { basis: left }),
    ...(orderIds.length > 0 && { orderIds }),
    ...(members.length > 0 && { members })
  }
}
