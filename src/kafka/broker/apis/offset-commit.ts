import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, int64, message, nullableString, string, struct } from "../protocol/schema.ts";
import type { OffsetEntry } from "../storage/offsets-store.ts";
import { defineApi } from "./api.ts";

const partition = struct({
  partitionIndex: field(int32),
  committedOffset: field(int64),
  committedLeaderEpoch: field(int32, "6+", -1),
  commitTimestamp: field(int64, "1", -1),
  committedMetadata: field(nullableString),
});

export const offsetCommit = defineApi({
  key: 8,
  name: "OffsetCommit",
  minVersion: 2,
  maxVersion: 8,
  request: message("8+", {
    groupId: field(string),
    generationIdOrMemberEpoch: field(int32, "1+", -1),
    memberId: field(string, "1+"),
    groupInstanceId: field(nullableString, "7+"),
    retentionTimeMs: field(int64, "2-4", -1),
    topics: field(array(struct({ name: field(string), partitions: field(array(partition)) }))),
  }),
  response: message("8+", {
    throttleTimeMs: field(int32, "3+"),
    topics: field(array(struct({ name: field(string), partitions: field(array(struct({ partitionIndex: field(int32), errorCode: field(int16) }))) }))),
  }),
  async handle(req, ctx) {
    const { coordinator, topics } = ctx.broker;
    const groupDenied = !ctx.access.group(Operation.Read, req.groupId);
    const denied = groupDenied ? ErrorCode.GROUP_AUTHORIZATION_FAILED : coordinator.commitCheck(req.groupId, req.memberId, req.generationIdOrMemberEpoch);
    const entries: OffsetEntry[] = [];
    const response = {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          let errorCode = denied;
          if (errorCode === ErrorCode.NONE && !ctx.access.topic(Operation.Read, t.name)) errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
          if (errorCode === ErrorCode.NONE && !topics.partition(t.name, p.partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          if (errorCode === ErrorCode.NONE) {
            entries.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata });
          }
          return { partitionIndex: p.partitionIndex, errorCode };
        }),
      })),
    };
    try {
      await coordinator.offsets.commit(req.groupId, entries);
    } catch (e) {
      ctx.broker.log.error("offset commit not persisted", { group: req.groupId, error: String(e) });
      for (const t of response.topics) for (const p of t.partitions) if (p.errorCode === 0) p.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
    }
    return response;
  },
});
