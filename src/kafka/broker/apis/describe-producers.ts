import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, int64, message, nullableString, string, struct } from "../protocol/schema.ts";
import type { Partition } from "../state/topics.ts";
import { defineApi } from "./api.ts";

const TWO_32 = 4294967296;

/** The max timestamp of the batch starting at `offset` (the producer's last), -1 once it is deleted. */
function batchTimestamp(p: Partition, offset: number): number {
  if (offset < p.log.logStartOffset) return -1;
  const [chunk] = p.log.read(offset, 1);
  if (!chunk || chunk.byteLength < 61) return -1;
  const v = new DataView(chunk.buffer, chunk.byteOffset, 61);
  return v.getInt32(35) * TWO_32 + v.getUint32(39);
}

/** Each producer the partition keeps idempotence state for (its batches need not still be in the log). */
const describe = (p: Partition) =>
  p.producers.producers().map((s) => ({
    producerId: s.producerId,
    producerEpoch: s.epoch,
    lastSequence: s.lastSequence,
    lastTimestamp: batchTimestamp(p, s.lastOffset),
    coordinatorEpoch: -1,
    currentTxnStartOffset: -1,
  }));

const producerState = struct({
  producerId: field(int64),
  producerEpoch: field(int32),
  lastSequence: field(int32, "0+", -1),
  lastTimestamp: field(int64, "0+", -1),
  coordinatorEpoch: field(int32),
  currentTxnStartOffset: field(int64, "0+", -1),
});

/**
 * Version 0 (flexible). The idempotent producers of each partition from its producer state (the one that
 * deduplicates retries), with their epoch, last sequence and last batch's timestamp; there are no
 * transactions, so no coordinator epoch or open transaction. Needs Read on the topic, as in Kafka.
 */
export const describeProducers = defineApi({
  key: 61,
  name: "DescribeProducers",
  minVersion: 0,
  maxVersion: 0,
  request: message("0+", { topics: field(array(struct({ name: field(string), partitionIndexes: field(array(int32)) }))) }),
  response: message("0+", {
    throttleTimeMs: field(int32),
    topics: field(
      array(
        struct({
          name: field(string),
          partitions: field(array(struct({ partitionIndex: field(int32), errorCode: field(int16), errorMessage: field(nullableString), activeProducers: field(array(producerState)) }))),
        }),
      ),
    ),
  }),
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          const fail = (errorCode: number) => ({ partitionIndex, errorCode, errorMessage: null, activeProducers: [] });
          if (!ctx.access.topic(Operation.Read, t.name)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          const p = ctx.broker.topics.partition(t.name, partitionIndex);
          if (!p) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers: describe(p) };
        }),
      })),
    };
  },
});
