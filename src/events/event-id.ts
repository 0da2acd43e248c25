import { createHash } from "node:crypto"

// A fixed namespace makes derived ids stable across processes and versions.
const namespace = Buffer.from("6f0c2f4e8b3a4d2c9a51c7e2d4b8a913", "hex")

/** A name-based UUID (RFC 9562 version 5): the same parts always give the same id. */
export const derivedEventId = (...parts: ReadonlyArray<string>): string => {
  const hash = createHash("sha1").update(namespace).update(parts.join("\u0000")).digest()
  hash[6] = (hash[6]! & 0x0f) | 0x50
  hash[8] = (hash[8]! & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * Ids Loyaltea makes up itself start with this; an event a shop sends may not carry one, so a
 * client can never claim in advance an id that Loyaltea will give to someone else's event.
 */
export const reservedIdPrefix = "loyaltea:"

/** The id of an event that arrived without one: where it sits in the log never changes. */
export const offsetEventId = (topic: string, partition: number, offset: string) => `${reservedIdPrefix}${topic}/${partition}/${offset}`
