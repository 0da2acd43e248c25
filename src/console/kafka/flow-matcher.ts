import { derivedEventId, offsetEventId } from "../../events/event-id.ts"
import { deadLetterTopic, ingressTopics, Topics } from "../../events/topics.ts"
import { type ConsoleRecord, jsonOf } from "./record.ts"

/** The topics one event's consequences travel through, and where each of them can be dead-lettered. */
const flowTopics = [...ingressTopics, Topics.fulfillment, Topics.fulfillmentRevoked, Topics.reward, Topics.rewardRevoked, Topics.rewardNotify]
export const traceTopics: ReadonlyArray<string> = [...flowTopics, ...flowTopics.map(deadLetterTopic)]

/** One step of an event's way: the record, the id it goes by, and for a dead letter, why. */
export interface Hop {
  readonly record: ConsoleRecord
  readonly eventId: string
  readonly causeEventId: string | null
  readonly deadLetter: string | null
  /** Points landed: a `reward-notify` of the flow. */
  readonly landed: boolean
}

// Records seen before their cause (the topics are read side by side) wait here for it, up to this many.
const waitingLimit = 10_000

/**
 * Decides, record by record, which belong to the flow of one event: the event itself (by its id,
 * or where it sits when it came without one), every event whose `causeEventId` is in the flow, the
 * `reward-notify` derived from a `reward` of the flow, and the dead letters of any of them.
 */
export const flowMatcher = (root: string) => {
  const ids = new Set([root])
  const waiting: Array<ConsoleRecord> = []
  // A consumer that rejoins its group reads again from where it was told: each record counts once.
  const seen = new Set<string>()
  const judge = (record: ConsoleRecord): Hop | undefined => {
    const json = jsonOf(record.value)
    if (!json) return undefined
    if (record.topic.endsWith(".dlq")) {
      const original = typeof json.value === "string" ? jsonOf(json.value) : undefined
      const id = typeof original?.eventId === "string"
        ? original.eventId
        : typeof json.topic === "string" && typeof json.partition === "number" && typeof json.offset === "string"
        ? offsetEventId(json.topic, json.partition, json.offset)
        : undefined
      const cause = typeof original?.causeEventId === "string" ? original.causeEventId : null
      if ((id === undefined || !ids.has(id)) && (cause === null || !ids.has(cause))) return undefined
      return { record, eventId: id ?? "", causeEventId: cause, deadLetter: typeof json.error === "string" ? json.error : "dead-lettered", landed: false }
    }
    const id = typeof json.eventId === "string" ? json.eventId : offsetEventId(record.topic, record.partition, record.offset)
    const cause = typeof json.causeEventId === "string" ? json.causeEventId : null
    if (!ids.has(id) && (cause === null || !ids.has(cause))) return undefined
    ids.add(id)
    if (record.topic === Topics.reward) ids.add(derivedEventId("reward-notify", id))
    return { record, eventId: id, causeEventId: cause, deadLetter: null, landed: record.topic === Topics.rewardNotify }
  }
  /** The hops this record makes part of the flow: itself, and the waiting ones it was the cause of. */
  const offer = (record: ConsoleRecord): Array<Hop> => {
    const position = `${record.topic}/${record.partition}/${record.offset}`
    if (seen.has(position)) return []
    seen.add(position)
    const hop = judge(record)
    if (!hop) {
      waiting.push(record)
      if (waiting.length > waitingLimit) waiting.shift()
      return []
    }
    const hops = [hop]
    for (let grew = true; grew;) {
      grew = false
      for (let i = 0; i < waiting.length; i++) {
        const later = judge(waiting[i]!)
        if (later) {
          hops.push(later)
          waiting.splice(i, 1)
          grew = true
          break
        }
      }
    }
    return hops
  }
  return { offer }
}
