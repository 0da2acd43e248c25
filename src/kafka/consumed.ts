import type { RawMessage } from "./dead-letter.ts"
import { keyOf } from "./processed-events.ts"
import type { Consumed } from "./topic-handler.ts"

/**
 * A decoded event with where it came from, as handlers see it: its identity in the batch (tenant
 * and id), its event time (its `occurredAt`, else its record's timestamp) and its record's time.
 */
export const consumedFrom = <A>(raw: RawMessage, event: A, identity: { readonly tenant: string; readonly eventId: string; readonly occurredAt: string | undefined }): Consumed<A> => ({
  key: keyOf({ tenant: identity.tenant, eventId: identity.eventId }),
  eventId: identity.eventId,
  tenant: identity.tenant,
  eventTime: identity.occurredAt === undefined ? Number(raw.timestamp) : Date.parse(identity.occurredAt),
  recordTime: Number(raw.timestamp),
  event,
  partition: raw.partition,
  offset: raw.offset
})

/** Within one batch the first copy of a key wins; later copies are duplicates like any replay. */
export const firstOfEachKey = <T extends { readonly key: string }>(items: ReadonlyArray<T>): ReadonlyArray<T> => {
  const seen = new Set<string>()
  return items.filter((item) => (seen.has(item.key) ? false : (seen.add(item.key), true)))
}
