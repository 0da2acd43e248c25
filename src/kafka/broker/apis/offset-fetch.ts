import { array, field, int16, int32, int64, message, nullableArray, nullableString, string, struct } from "../protocol/schema.ts";
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
  request: message("6+", {
    groupId: field(string),
    topics: field(nullableArray(struct({ name: field(string), partitionIndexes: field(array(int32)) }))),
  }),
  response: message("6+", {
    throttleTimeMs: field(int32, "3+"),
    topics: field(array(struct({ name: field(string), partitions: field(array(partition)) }))),
    errorCode: field(int16, "2+"),
  }),
  handle(req, ctx) {
    const offsets = ctx.broker.coordinator.offsets;
    // null (v2+) asks for every partition the group has committed.
    const wanted = req.topics ?? [...offsets.topics(req.groupId)].map(([name, parts]) => ({ name, partitionIndexes: [...parts.keys()] }));
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      topics: wanted.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          const c = offsets.get(req.groupId, t.name, partitionIndex);
          return { partitionIndex, committedOffset: c?.offset ?? -1, committedLeaderEpoch: c?.leaderEpoch ?? -1, metadata: c?.metadata ?? "", errorCode: 0 };
        }),
      })),
    };
  },
});
