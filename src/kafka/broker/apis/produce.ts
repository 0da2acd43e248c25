import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { encodeRecordBatch } from "../protocol/batch-writer.ts";
import { readMessageSet, type LegacyRejection } from "../protocol/message-set.ts";
import { inspectBatch, setBatchBaseOffset, type BatchInfo } from "../protocol/records.ts";
import { array, field, int16, int32, int64, message, nullableString, records, string, struct } from "../protocol/schema.ts";
import { batchProducer } from "../state/producers.ts";
import type { Partition } from "../state/topics.ts";
import { defineApi, type RequestContext } from "./api.ts";

const partitionResponse = struct({
  index: field(int32),
  errorCode: field(int16),
  baseOffset: field(int64),
  logAppendTimeMs: field(int64, "2+", -1),
  logStartOffset: field(int64, "5+", -1),
  recordErrors: field(array(struct({ batchIndex: field(int32, "8+"), batchIndexErrorMessage: field(nullableString, "8+") })), "8+"),
  errorMessage: field(nullableString, "8+", null),
});
type PartitionResponse = ReturnType<typeof partitionResponse.empty>;

/**
 * Produce v0–2 carry a legacy message set (magic 0/1); it becomes one uncompressed RecordBatch v2, so the
 * log, every fetch and every client see one format. Magic 0 messages take the broker's append time.
 */
function fromMessageSet(bytes: Uint8Array): Uint8Array | LegacyRejection {
  const records = readMessageSet(bytes, Date.now());
  return Array.isArray(records) ? encodeRecordBatch(records) : records;
}

/** Validates every batch first so a partition's records are appended all or nothing. */
function append(p: Partition, records: Uint8Array | null, ctx: RequestContext): PartitionResponse {
  const reply = (errorCode: number, baseOffset = -1, errorMessage: string | null = null): PartitionResponse =>
    ({ index: p.index, errorCode, baseOffset, logAppendTimeMs: -1, logStartOffset: p.log.logStartOffset, recordErrors: [], errorMessage });
  const reject = (errorCode: number, reason: string) => {
    ctx.broker.log.warn("rejected produced batch", { topic: p.topic, partition: p.index, reason, version: ctx.version, client: ctx.clientId });
    return reply(errorCode, -1, reason);
  };
  if (!records || records.byteLength === 0) return reply(ErrorCode.CORRUPT_MESSAGE, -1, "no records");
  const bytes = ctx.version < 3 ? fromMessageSet(records) : records;
  if (!(bytes instanceof Uint8Array)) return reject(bytes.errorCode, bytes.reason);
  const batches: { at: number; info: BatchInfo }[] = [];
  const maxBytes = ctx.broker.topics.limits(p.topic)?.maxMessageBytes ?? Number.POSITIVE_INFINITY;
  for (let at = 0; at < bytes.byteLength; ) {
    const info = inspectBatch(bytes, at);
    if (typeof info === "string") return reject(ErrorCode.CORRUPT_MESSAGE, info);
    if (info.size > maxBytes) return reject(ErrorCode.MESSAGE_TOO_LARGE, `batch of ${info.size} bytes exceeds max.message.bytes ${maxBytes}`);
    batches.push({ at, info });
    at += info.size;
  }
  const producers = batches.map(({ at }) => batchProducer(bytes, at));
  if (producers.some((b) => b.producerId >= 0)) {
    // Idempotent producers: a retried batch gets its first offset back instead of a second copy.
    if (producers.length > 1) return reject(ErrorCode.INVALID_RECORD, "an idempotent produce carries one batch per partition");
    const verdict = p.producers.check(producers[0]!);
    if (verdict.kind === "duplicate") return reply(ErrorCode.NONE, verdict.baseOffset);
    if (verdict.kind === "reject") return reject(verdict.errorCode, verdict.reason);
  }
  const baseOffset = p.log.nextOffset;
  batches.forEach(({ at, info }, i) => {
    const batch = bytes.subarray(at, at + info.size);
    const offset = p.log.nextOffset;
    setBatchBaseOffset(batch, offset);
    p.log.append(batch, info);
    p.producers.record(producers[i]!, offset);
  });
  return reply(ErrorCode.NONE, baseOffset);
}

export const produce = defineApi({
  key: 0,
  name: "Produce",
  minVersion: 0,
  maxVersion: 9,
  request: message("9+", {
    transactionalId: field(nullableString, "3+"),
    acks: field(int16),
    timeoutMs: field(int32),
    topicData: field(array(struct({ name: field(string), partitionData: field(array(struct({ index: field(int32), records: field(records) }))) }))),
  }),
  response: message("9+", {
    responses: field(array(struct({ name: field(string), partitionResponses: field(array(partitionResponse)) }))),
    throttleTimeMs: field(int32, "1+"),
  }),
  handle(req, ctx) {
    const { topics } = ctx.broker;
    const validAcks = req.acks === 0 || req.acks === 1 || req.acks === -1;
    const toSync = new Set<Partition>();
    const responses = req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((pd): PartitionResponse => {
        const p = topics.partition(t.name, pd.index);
        const refuse = (errorCode: number): PartitionResponse => ({ index: pd.index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: null });
        if (!ctx.access.topic(Operation.Write, t.name)) return refuse(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        if (!p) return refuse(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        if (!validAcks) return refuse(ErrorCode.INVALID_REQUIRED_ACKS);
        const r = append(p, pd.records instanceof Uint8Array ? pd.records : null, ctx);
        if (r.errorCode === ErrorCode.NONE) {
          topics.notify(p);
          if (req.acks === -1) toSync.add(p);
        }
        return r;
      }),
    }));
    if (req.acks === 0) return null;
    const response = { responses, throttleTimeMs: 0 };
    if (toSync.size === 0 || !ctx.broker.durable) return response;
    // acks=-1: answer only once the appended batches are on disk (fsyncs are group-committed).
    return Promise.all([...toSync].map((p) => p.log.sync().then(() => null, () => p))).then((failed) => {
      for (const p of failed) {
        if (!p) continue;
        ctx.broker.log.error("fsync failed", { topic: p.topic, partition: p.index });
        const r = responses.find((t) => t.name === p.topic)?.partitionResponses.find((x) => x.index === p.index);
        if (r) r.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
      }
      return response;
    });
  },
});
