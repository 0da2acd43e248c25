import { field, int16, int32, int64, message, nullableString } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

/**
 * Idempotent producers ask for an id; the broker hands out fresh ones and does not track sequences.
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
  handle: (_req, ctx) => ({ throttleTimeMs: 0, errorCode: 0, producerId: ctx.broker.nextProducerId(), producerEpoch: 0 }),
});
