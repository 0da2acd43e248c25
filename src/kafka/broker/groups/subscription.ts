import { Reader } from "../protocol/reader.ts";
import type { Group } from "./group.ts";

/**
 * The topics a consumer-protocol member subscribed to, read from the head of its subscription
 * (ConsumerProtocolSubscription: version int16, topics []string, ...); null when it cannot be read.
 */
export function subscribedTopics(metadata: Uint8Array): string[] | null {
  try {
    const r = new Reader(metadata);
    r.int16();
    const n = r.arrayLength(2);
    const topics: string[] = [];
    for (let i = 0; i < n; i++) topics.push(r.string());
    return topics;
  } catch {
    return null;
  }
}

/**
 * Topics some member of a consumer group is subscribed to; null when the group is not a consumer group
 * or a subscription cannot be read (then every topic must be treated as in use).
 */
export function groupSubscriptions(group: Group): Set<string> | null {
  if (group.protocolType !== "consumer") return null;
  const topics = new Set<string>();
  for (const m of group.members.values()) {
    const protocol = group.protocolName ?? m.request.protocols[0]?.name ?? "";
    const subscribed = subscribedTopics(m.metadataFor(protocol));
    if (subscribed === null) return null;
    for (const t of subscribed) topics.add(t);
  }
  return topics;
}
