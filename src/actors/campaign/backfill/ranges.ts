import type { Admin } from "kafkajs"
import type { BackfillPartition } from "./model.ts"

/**
 * Per partition of `topic`: the first offset at or after `from` (ListOffsets by timestamp) and the
 * log's end now. A log without the topic yet has nothing to read again.
 */
export const rangeSince = async (admin: Admin, topic: string, from: string): Promise<Array<BackfillPartition>> => {
  if (!(await admin.listTopics()).includes(topic)) return []
  const [starts, ends] = await Promise.all([admin.fetchTopicOffsetsByTimestamp(topic, Date.parse(from)), admin.fetchTopicOffsets(topic)])
  return ends.map((end) => {
    const found = starts.find((s) => s.partition === end.partition)?.offset ?? end.high
    const start = found === "-1" || BigInt(found) > BigInt(end.high) ? end.high : found
    return { partition: end.partition, start, end: end.high, current: start }
  }).sort((a, b) => a.partition - b.partition)
}
