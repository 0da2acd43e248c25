import * as D from "../../domain/decimal.ts"
import type { Member } from "./progress.ts"

type StoredMember = { eventId: string; fulfillmentId: string; basis?: string; counted: boolean; orderIds: Array<string> }

/** A round's members as JSON: bases as decimal text (exact). */
export const encodeMembers = (members: ReadonlyArray<Member>) =>
  JSON.stringify(members.map((m): StoredMember => ({
    eventId: m.eventId,
    fulfillmentId: m.fulfillmentId,
    ...(m.basis !== undefined && { basis: D.toText(m.basis) }),
    counted: m.counted,
    orderIds: [...m.orderIds]
  })))

export const decodeMembers = (text: string): ReadonlyArray<Member> =>
  (JSON.parse(text) as Array<StoredMember>).map((m) => ({
    eventId: m.eventId,
    fulfillmentId: m.fulfillmentId,
    ...(m.basis !== undefined && { basis: D.fromText(m.basis) }),
    counted: m.counted,
    orderIds: m.orderIds
  }))
