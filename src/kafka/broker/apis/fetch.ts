import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, int64, int8, message, nullableArray, nullableString, records, string, struct, tagged, uuid } from "../protocol/schema.ts";
import { defineApi, type RequestContext } from "./api.ts";

const request = message("12+", {
  clusterId: tagged(0, nullableString, "12+", null),
  replicaId: field(int32, "0+", -1),
  maxWaitMs: field(int32),
  minBytes: field(int32),
  maxBytes: field(int32, "3+", 0x7fffffff),
  isolationLevel: field(int8, "4+"),
  sessionId: field(int32, "7+"),
  sessionEpoch: field(int32, "7+", -1),
  topics: field(
    array(
      struct({
        topic: field(string, "0-12"),
        topicId: field(uuid, "13+"),
        partitions: field(
          array(
            struct({
              partition: field(int32),
              currentLeaderEpoch: field(int32, "9+", -1),
              fetchOffset: field(int64),
              lastFetchedEpoch: field(int32, "12+", -1),
              logStartOffset: field(int64, "5+", -1),
              partitionMaxBytes: field(int32),
            }),
          ),
        ),
      }),
    ),
  ),
  forgottenTopicsData: field(array(struct({ topic: field(string, "7-12"), topicId: field(uuid, "13+"), partitions: field(array(int32)) })), "7+"),
  rackId: field(string, "11+"),
});

const epochEndOffset = struct({ epoch: field(int32, "12+", -1), endOffset: field(int64, "12+", -1) });
const leaderIdAndEpoch = struct({ leaderId: field(int32, "12+", -1), leaderEpoch: field(int32, "12+", -1) });
const snapshotId = struct({ endOffset: field(int64, "0+", -1), epoch: field(int32, "0+", -1) });

const partitionData = struct({
  partitionIndex: field(int32),
  errorCode: field(int16),
  highWatermark: field(int64),
  lastStableOffset: field(int64, "4+", -1),
  logStartOffset: field(int64, "5+", -1),
  divergingEpoch: tagged(0, epochEndOffset, "12+", { epoch: -1, endOffset: -1 }),
  currentLeader: tagged(1, leaderIdAndEpoch, "12+", { leaderId: -1, leaderEpoch: -1 }),
  snapshotId: tagged(2, snapshotId, "12+", { endOffset: -1, epoch: -1 }),
  abortedTransactions: field(nullableArray(struct({ producerId: field(int64), firstOffset: field(int64) })), "4+"),
  preferredReadReplica: field(int32, "11+", -1),
  records: field(records),
});

const response = message("12+", {
  throttleTimeMs: field(int32, "1+"),
  errorCode: field(int16, "7+"),
  sessionId: field(int32, "7+"),
  responses: field(array(struct({ topic: field(string, "0-12"), topicId: field(uuid, "13+"), partitions: field(array(partitionData)) }))),
});

type Request = ReturnType<typeof request.empty>;

/** Longer waits are cut short; clients simply fetch again. */
const MAX_WAIT_MS = 30_000;
type Response = ReturnType<typeof response.empty>;

/** Reads what the request asks for now; `bytes` is how much record data it found. */
function collect(req: Request, ctx: RequestContext): { response: Response; bytes: number } {
  let bytes = 0;
  const responses = req.topics.map((t) => ({
    topic: t.topic,
    topicId: t.topicId,
    partitions: t.partitions.map((fp) => {
      const p = ctx.broker.topics.partition(t.topic, fp.partition);
      const none = { partitionIndex: fp.partition, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, preferredReadReplica: -1, records: null };
      if (t.topic !== "" && !ctx.access.topic(Operation.Read, t.topic)) return { ...none, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
      if (!p) return { ...none, errorCode: ctx.version >= 13 && t.topic === "" ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      const hw = p.log.nextOffset;
      const start = p.log.logStartOffset;
      const base = { ...none, highWatermark: hw, lastStableOffset: hw, logStartOffset: start, abortedTransactions: null };
      if (fp.fetchOffset < start || fp.fetchOffset > hw) return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
      const budget = req.maxBytes - bytes;
      if (fp.fetchOffset === hw || (bytes > 0 && budget <= 0)) return { ...base, errorCode: 0, records: [] };
      const batches = p.log.read(fp.fetchOffset, Math.max(1, Math.min(fp.partitionMaxBytes, budget)));
      for (const b of batches) bytes += b.byteLength;
      return { ...base, errorCode: 0, records: batches };
    }),
  }));
  return { response: { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses }, bytes };
}

/** Holds the fetch until minBytes are there (a produce wakes it) or maxWaitMs passes. */
function longPoll(req: Request, ctx: RequestContext, first: Response): Promise<Response> {
  return new Promise((resolve) => {
    const partitions = req.topics.flatMap((t) => t.partitions.map((fp) => ctx.broker.topics.partition(t.topic, fp.partition))).filter((p) => p !== undefined);
    let done = false;
    const finish = (r: Response) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unregister();
      for (const p of partitions) p.waiters.delete(wake);
      resolve(r);
    };
    const wake = () => {
      if (!ctx.alive()) return finish(first);
      const now = collect(req, ctx);
      if (now.bytes >= req.minBytes) finish(now.response);
    };
    const timer = setTimeout(() => finish(ctx.alive() ? collect(req, ctx).response : first), Math.min(req.maxWaitMs, MAX_WAIT_MS));
    const unregister = ctx.onClose(() => finish(first));
    for (const p of partitions) p.waiters.add(wake);
  });
}

export const fetch = defineApi({
  key: 1,
  name: "Fetch",
  minVersion: 4,
  maxVersion: 13,
  request,
  response,
  handle(req, ctx) {
    // v13+ names topics by id; resolved once here (an unknown id keeps an empty name and answers UNKNOWN_TOPIC_ID).
    if (ctx.version >= 13) for (const t of req.topics) t.topic = ctx.broker.topics.nameOf(t.topicId) ?? "";
    const { response, bytes } = collect(req, ctx);
    const hasError = response.responses.some((t) => t.partitions.some((p) => p.errorCode !== 0));
    if (bytes >= req.minBytes || req.maxWaitMs <= 0 || hasError) return response;
    return longPoll(req, ctx, response);
  },
});
