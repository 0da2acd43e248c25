import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, int64, nullableArray, nullableString, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

const partition = struct({
  partitionIndex: field(int32),
  committedOffset: field(int64),
  committedLeaderEpoch: field(int32, "5+", -1),
  metadata: field(nullableString),
  errorCode: field(int16),
});

export const offsetFetch = defineApi({
  key: 9,
  name: "OffsetFetch",
  minVersion: 1,
  maxVersion: 5,
  request: struct({
    groupId: field(string),
    topics: field(nullableArray(struct({ name: field(string), partitionIndexes: field(array(int32)) }))),
  }),
  response: struct({
    throttleTimeMs: field(int32, "3+"),
    topics: field(array(struct({ name: field(string), partitions: field(array(partition)) }))),
    errorCode: field(int16, "2+"),
  }),
  handle(req, ctx) {
    const offsets = ctx.broker.coordinator.offsets;
    if (!ctx.access.group(Operation.Describe, req.groupId)) {
      const topics = (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: "", errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED })) }));
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics };
    }
    // null (v2+) asks for every partition the group has committed (of the topics the principal may describe).
    const wanted = req.topics ?? [...offsets.topics(req.groupId)].filter(([name]) => ctx.access.topic(Operation.Describe, name)).map(([name, parts]) => ({ name, partitionIndexes: [...parts.keys()] }));
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      topics: wanted.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          if (!ctx.access.topic(Operation.Describe, t.name)) return { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: "", errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
          const c = offsets.get(req.groupId, t.name, partitionIndex);
          return { partitionIndex, committedOffset: c?.offset ?? -1, committedLeaderEpoch: c?.leaderEpoch ?? -1, metadata: c?.metadata ?? "", errorCode: 0 };
        }),
      })),
    };
  },
});
