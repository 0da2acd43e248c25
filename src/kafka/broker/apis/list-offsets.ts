import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, int64, int8, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

const LATEST = -1;
const EARLIEST = -2;

export const listOffsets = defineApi({
  key: 2,
  name: "ListOffsets",
  minVersion: 1,
  maxVersion: 3,
  request: struct({
    replicaId: field(int32),
    isolationLevel: field(int8, "2+"),
    topics: field(array(struct({ name: field(string), partitions: field(array(struct({ partitionIndex: field(int32), timestamp: field(int64) }))) }))),
  }),
  response: struct({
    throttleTimeMs: field(int32, "2+"),
    topics: field(
      array(
        struct({
          name: field(string),
          partitions: field(array(struct({ partitionIndex: field(int32), errorCode: field(int16), timestamp: field(int64, "1+", -1), offset: field(int64, "1+", -1) }))),
        }),
      ),
    ),
  }),
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map(({ partitionIndex, timestamp }) => {
          const p = ctx.broker.topics.partition(t.name, partitionIndex);
          if (!ctx.access.topic(Operation.Describe, t.name)) return { partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, timestamp: -1, offset: -1 };
          if (!p) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1, offset: -1 };
          if (timestamp === LATEST) return { partitionIndex, errorCode: 0, timestamp: -1, offset: p.log.nextOffset };
          if (timestamp === EARLIEST) return { partitionIndex, errorCode: 0, timestamp: -1, offset: p.log.logStartOffset };
          const hit = p.log.offsetForTimestamp(timestamp);
          return { partitionIndex, errorCode: 0, timestamp: hit?.timestamp ?? -1, offset: hit?.offset ?? -1 };
        }),
      })),
    };
  },
});
