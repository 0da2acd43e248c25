import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, int64, message, string, struct } from "../protocol/schema.ts";
import { defineApi, type RequestContext } from "./api.ts";

/** Offset -1 deletes up to the high watermark. */
const HIGH_WATERMARK = -1;

function deleteBefore(topic: string, partitionIndex: number, offset: number, ctx: RequestContext): { lowWatermark: number; errorCode: number } {
  const { topics } = ctx.broker;
  if (!ctx.access.topic(Operation.Delete, topic)) return { lowWatermark: -1, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
  const p = topics.partition(topic, partitionIndex);
  if (!p) return { lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  if (!topics.limits(topic)!.deletable) return { lowWatermark: -1, errorCode: ErrorCode.POLICY_VIOLATION };
  const end = p.log.nextOffset;
  const target = offset === HIGH_WATERMARK ? end : offset;
  if (target < 0 || target > end) return { lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
  try {
    p.log.deleteRecordsBefore(target);
  } catch (e) {
    ctx.broker.log.error("log start offset not persisted", { topic, partition: partitionIndex, error: String(e) });
    return { lowWatermark: -1, errorCode: ErrorCode.KAFKA_STORAGE_ERROR };
  }
  if (target > 0) ctx.broker.log.info("records deleted", { topic, partition: partitionIndex, before: p.log.logStartOffset });
  return { lowWatermark: p.log.logStartOffset, errorCode: ErrorCode.NONE };
}

/**
 * Versions 0–2 (v2 flexible). Moves each partition's log start offset (durably, before answering);
 * Fetch below it answers OFFSET_OUT_OF_RANGE and ListOffsets' earliest is it. Compacted topics refuse
 * (POLICY_VIOLATION), as in Kafka. Needs Delete on the topic.
 */
export const deleteRecords = defineApi({
  key: 21,
  name: "DeleteRecords",
  minVersion: 0,
  maxVersion: 2,
  request: message("2+", {
    topics: field(array(struct({ name: field(string), partitions: field(array(struct({ partitionIndex: field(int32), offset: field(int64) }))) }))),
    timeoutMs: field(int32),
  }),
  response: message("2+", {
    throttleTimeMs: field(int32),
    topics: field(array(struct({ name: field(string), partitions: field(array(struct({ partitionIndex: field(int32), lowWatermark: field(int64), errorCode: field(int16) }))) }))),
  }),
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map(({ partitionIndex, offset }) => ({ partitionIndex, ...deleteBefore(t.name, partitionIndex, offset, ctx) })),
      })),
    };
  },
});
