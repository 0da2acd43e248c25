import type { Admin } from "kafkajs"

/** One partition's range of a log to read again: `current` moves from `start` to `end`. */
export interface OffsetRange {
  readonly partition: number
  readonly start: string
  readonly end: string
  readonly current: string
}

/**
 * Per partition of `topic`: the first offset at or after `from` (ListOffsets by timestamp) and the
 * log's end now. A log without the topic yet has nothing to read again.
 */
export const rangeSince = async (admin: Admin, topic: string, from: string): Promise<Array<OffsetRange>> => {
  if (!(await admin.listTopics()).includes(topic)) return []
  const [starts, ends] = await Promise.all([admin.fetchTopicOffsetsByTimestamp(topic, Date.parse(from)), admin.fetchTopicOffsets(topic)])
  return ends.map((end) => {
    const found = starts.find((s) => s.partition === end.partition)?.offset ?? end.high
    const start = found === "-1" || BigInt(found) > BigInt(end.high) ? end.high : found
    return { partition: end.partition, start, end: end.high, current: start }
  }).sort((a, b) => a.partition - b.partition)
}

/**
 * Per partition of `topic`: its log's end now, as an empty range from there (where what is
 * appended from now on starts). A log without the topic yet has nothing.
 */
export const rangeFromEnd = async (admin: Admin, topic: string): Promise<Array<OffsetRange>> => {
  if (!(await admin.listTopics()).includes(topic)) return []
  return (await admin.fetchTopicOffsets(topic))
    .map((end) => ({ partition: end.partition, start: end.high, end: end.high, current: end.high }))
    .sort((a, b) => a.partition - b.partition)
}

/** Whether some partition of `ranges` is not read to its end. */
export const unread = (ranges: ReadonlyArray<OffsetRange>) => ranges.some((p) => BigInt(p.current) < BigInt(p.end))

/** The next offset after a batch whose last record is `last`, never past the range's end. */
export const nextAfter = (range: OffsetRange, last: string) => {
  const next = BigInt(last) + 1n
  return (next > BigInt(range.end) ? BigInt(range.end) : next).toString()
}
