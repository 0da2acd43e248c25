import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, int64, message, nullableString, string, struct } from "../protocol/schema.ts";
import { activeProducers } from "../state/active-producers.ts";
import { defineApi } from "./api.ts";

const producerState = struct({
  producerId: field(int64),
  producerEpoch: field(int32),
  lastSequence: field(int32, "0+", -1),
  lastTimestamp: field(int64, "0+", -1),
  coordinatorEpoch: field(int32),
  currentTxnStartOffset: field(int64, "0+", -1),
});

/**
 * Version 0 (flexible). The idempotent producers that wrote to each partition, with their latest epoch
 * and sequence; there are no transactions, so no coordinator epoch or open transaction.
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
          const p = ctx.broker.topics.partition(t.name, partitionIndex);
          if (!ctx.access.topic(Operation.Read, t.name)) return { partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, activeProducers: [] };
          if (!p) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] };
          const producers = activeProducers(p.log).map((s) => ({ ...s, coordinatorEpoch: -1, currentTxnStartOffset: -1 }));
          return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers: producers };
        }),
      })),
    };
  },
});
