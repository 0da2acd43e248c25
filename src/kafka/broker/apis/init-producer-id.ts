import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { field, int16, int32, int64, message, nullableString } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

/**
 * Idempotent producers ask for an id; each call hands out a fresh one (epoch 0), whose sequences Produce tracks.
 * Versions 0–4: v2 is flexible, v3 lets a producer name its current id and epoch (it gets a fresh id).
 */
export const initProducerId = defineApi({
  key: 22,
  name: "InitProducerId",
  minVersion: 0,
  maxVersion: 4,
  request: message("2+", {
    transactionalId: field(nullableString),
    transactionTimeoutMs: field(int32),
    producerId: field(int64, "3+", -1),
    producerEpoch: field(int16, "3+", -1),
  }),
  response: message("2+", { throttleTimeMs: field(int32), errorCode: field(int16), producerId: field(int64, "0+", -1), producerEpoch: field(int16) }),
  handle(req, ctx) {
    // As Kafka 3: an idempotent producer needs IdempotentWrite on the cluster, which Write on any topic implies.
    const allowed = req.transactionalId === null ? ctx.access.cluster(Operation.IdempotentWrite) || ctx.access.anyTopic(Operation.Write) : ctx.access.transactionalId(Operation.Write, req.transactionalId);
    if (!allowed) {
      const errorCode = req.transactionalId === null ? ErrorCode.CLUSTER_AUTHORIZATION_FAILED : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
      return { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 };
    }
    return { throttleTimeMs: 0, errorCode: 0, producerId: ctx.broker.nextProducerId(), producerEpoch: 0 };
  },
});
