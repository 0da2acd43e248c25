import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, bool, field, int16, int32, int64, message, nullableArray, nullableString, string, struct } from "../protocol/schema.ts";
import type { RequestContext } from "./api.ts";
import { defineApi } from "./api.ts";

const partition = struct({
  partitionIndex: field(int32),
  committedOffset: field(int64),
  committedLeaderEpoch: field(int32, "5+", -1),
  metadata: field(nullableString),
  errorCode: field(int16),
});
const topics = (versions: string) => field(array(struct({ name: field(string), partitions: field(array(partition)) })), versions);
const askedTopics = (versions: string) => field(nullableArray(struct({ name: field(string), partitionIndexes: field(array(int32)) })), versions);

type Asked = { name: string; partitionIndexes: number[] }[] | null;

/** One group's committed offsets; null topics (v2+) asks for every partition the group has committed. */
function offsetsOf(groupId: string, asked: Asked, ctx: RequestContext) {
  const offsets = ctx.broker.coordinator.offsets;
  // Of "every partition", only the topics the principal may describe.
  const wanted = asked ?? [...offsets.topics(groupId)].filter(([name]) => ctx.access.topic(Operation.Describe, name)).map(([name, parts]) => ({ name, partitionIndexes: [...parts.keys()] }));
  return wanted.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => {
      if (!ctx.access.topic(Operation.Describe, t.name)) return { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: "", errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
      const c = offsets.get(groupId, t.name, partitionIndex);
      return { partitionIndex, committedOffset: c?.offset ?? -1, committedLeaderEpoch: c?.leaderEpoch ?? -1, metadata: c?.metadata ?? "", errorCode: 0 };
    }),
  }));
}

/** Versions 1–8: v6 is flexible, v7 adds require_stable (nothing is ever unstable here), v8 asks for several groups at once. */
export const offsetFetch = defineApi({
  key: 9,
  name: "OffsetFetch",
  minVersion: 1,
  maxVersion: 8,
  request: message("6+", {
    groupId: field(string, "0-7"),
    topics: askedTopics("0-7"),
    groups: field(array(struct({ groupId: field(string, "8+"), topics: askedTopics("8+") })), "8+"),
    requireStable: field(bool, "7+"),
  }),
  response: message("6+", {
    throttleTimeMs: field(int32, "3+"),
    topics: topics("0-7"),
    errorCode: field(int16, "2-7"),
    groups: field(array(struct({ groupId: field(string, "8+"), topics: topics("8+"), errorCode: field(int16, "8+") })), "8+"),
  }),
  handle(req, ctx) {
    // Describe on the group, or GROUP_AUTHORIZATION_FAILED for it (per group from v8).
    const denied = (groupId: string) => !ctx.access.group(Operation.Describe, groupId);
    if (ctx.version >= 8) {
      const groups = req.groups.map((g) => (denied(g.groupId) ? { groupId: g.groupId, topics: [], errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED } : { groupId: g.groupId, topics: offsetsOf(g.groupId, g.topics, ctx), errorCode: 0 }));
      return { throttleTimeMs: 0, topics: [], errorCode: 0, groups };
    }
    if (denied(req.groupId)) {
      const topics = (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: "", errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED })) }));
      return { throttleTimeMs: 0, topics, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groups: [] };
    }
    return { throttleTimeMs: 0, topics: offsetsOf(req.groupId, req.topics, ctx), errorCode: 0, groups: [] };
  },
});
