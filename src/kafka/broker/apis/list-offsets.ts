import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, int64, int8, message, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

const LATEST = -1;
const EARLIEST = -2;
/** v7+: the record with the largest timestamp (KIP-734). */
const MAX_TIMESTAMP = -3;

/** Versions 1–7: v4 adds leader epochs (-1: this broker keeps none), v6 is flexible, v7 asks for the max timestamp. */
export const listOffsets = defineApi({
  key: 2,
  name: "ListOffsets",
  minVersion: 1,
  maxVersion: 7,
  request: message("6+", {
    replicaId: field(int32),
    isolationLevel: field(int8, "2+"),
    topics: field(
      array(
        struct({
          name: field(string),
          partitions: field(array(struct({ partitionIndex: field(int32), currentLeaderEpoch: field(int32, "4+", -1), timestamp: field(int64) }))),
        }),
      ),
    ),
  }),
  response: message("6+", {
    throttleTimeMs: field(int32, "2+"),
    topics: field(
      array(
        struct({
          name: field(string),
          partitions: field(
            array(
              struct({
                partitionIndex: field(int32),
                errorCode: field(int16),
                timestamp: field(int64, "1+", -1),
                offset: field(int64, "1+", -1),
                leaderEpoch: field(int32, "4+", -1),
              }),
            ),
          ),
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
          const answer = (errorCode: number, offset = -1, ts = -1) => ({ partitionIndex, errorCode, timestamp: ts, offset, leaderEpoch: -1 });
          const p = ctx.broker.topics.partition(t.name, partitionIndex);
          if (!ctx.access.topic(Operation.Describe, t.name)) return answer(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          if (!p) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          if (timestamp === LATEST) return answer(ErrorCode.NONE, p.log.nextOffset);
          if (timestamp === EARLIEST) return answer(ErrorCode.NONE, p.log.logStartOffset);
          const hit = timestamp === MAX_TIMESTAMP && ctx.version >= 7 ? p.log.offsetForMaxTimestamp() : p.log.offsetForTimestamp(timestamp);
          // Records below the log start offset were deleted (DeleteRecords): never point a client at them.
          return answer(ErrorCode.NONE, hit ? Math.max(hit.offset, p.log.logStartOffset) : -1, hit?.timestamp ?? -1);
        }),
      })),
    };
  },
});
