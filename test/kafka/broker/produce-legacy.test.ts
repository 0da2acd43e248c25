import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { fetch } from "../../../src/kafka/broker/apis/fetch.ts";
import { listOffsets } from "../../../src/kafka/broker/apis/list-offsets.ts";
import { metadata } from "../../../src/kafka/broker/apis/metadata.ts";
import { produce } from "../../../src/kafka/broker/apis/produce.ts";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";
import { MAX_INFLATED_BYTES } from "../../../src/kafka/broker/protocol/message-set.ts";
import { kafkaFor } from "./helpers/kafkajs.ts";
import { eventually } from "./helpers/eventually.ts";
import { concat, encodeMessage, gzipSet, messageSet, wrapper, type LegacyMessage } from "./helpers/message-set.ts";
import { buildBatch, decodeBatches } from "./helpers/record-batch.ts";
import { RawClient } from "./helpers/raw-client.ts";
import { tempDir } from "./helpers/temp-dir.ts";
import { metadataRequest } from "./helpers/requests.ts";
import { ZERO_UUID } from "../../../src/kafka/broker/protocol/schema.ts";

let broker: Broker;
/** Why the broker rejected produced records, in order (its warnings). */
const reasons: string[] = [];
const clients: RawClient[] = [];
const connect = async (port = broker.port) => {
  const c = await RawClient.connect(port);
  clients.push(c);
  return c;
};
beforeAll(async () => {
  broker = await startBroker({ port: 0, log: { info() {}, warn: (_m, f) => void reasons.push(String(f?.reason)), error() {} }, groupInitialRebalanceDelayMs: 20 });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await broker.close();
});

const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const produceReq = (parts: [topic: string, records: Uint8Array][], acks = 1) => ({
  transactionalId: null, acks, timeoutMs: 1000,
  topicData: parts.map(([name, records]) => ({ name, partitionData: [{ index: 0, records }] })),
});
const fetchAll = async (c: RawClient, topic: string) => {
  const f = await c.request(fetch, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, topicId: ZERO_UUID, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: "",
  });
  const p = f.responses[0]!.partitions[0]!;
  return { highWatermark: p.highWatermark, records: decodeBatches((p.records as Uint8Array | null) ?? new Uint8Array(0)) };
};
const create = async (c: RawClient, ...names: string[]) => {
  const md = await c.request(metadata, 1, metadataRequest(names, true));
  for (const t of md.topics) expect(t.errorCode).toBe(0);
};
const partition = <P>(r: { responses: { partitionResponses: P[] }[] }, topic = 0): P => r.responses[topic]!.partitionResponses[0]!;
const T = 1_700_000_000_000;
/** Null key at 1, a 20 kB value at 2, a null value at 3; timestamps out of order (negative deltas). */
const msgs = (prefix: string, n: number, ts = T): (LegacyMessage & { timestamp: number })[] =>
  Array.from({ length: n }, (_, i) => ({
    key: i === 1 ? null : enc(`${prefix}-k${i}`),
    value: i === 3 ? null : enc(`${prefix}-v${i} ${"é".repeat(i === 2 ? 10_000 : i)}`),
    timestamp: ts + ((i * 7 + 3) % 5),
  }));

describe("Produce v0–2 (legacy message sets)", () => {
  test("v0 with magic 0 continues the log's offsets; the records take the broker's append time", async () => {
    const c = await connect();
    await create(c, "legacy-v0");
    await c.request(produce, 7, produceReq([["legacy-v0", buildBatch([{ key: null, value: enc("a") }, { key: null, value: enc("b") }])]]));
    const before = Date.now();
    const r = await c.request(produce, 0, produceReq([["legacy-v0", messageSet(0, msgs("zero", 3))]]));
    const after = Date.now();
    expect(partition(r)).toEqual({ index: 0, errorCode: 0, baseOffset: 2, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: null });
    const { highWatermark, records } = await fetchAll(c, "legacy-v0");
    expect(highWatermark).toBe(5);
    const legacy = records.slice(2);
    expect(legacy.map((x) => [x.offset, text(x.key), text(x.value)])).toEqual(msgs("zero", 3).map((m, i) => [2 + i, text(m.key), text(m.value)]));
    for (const x of legacy) expect(x.timestamp >= before && x.timestamp <= after).toBe(true);
  });

  test("v1 and v2 with magic 1, uncompressed and gzip, keep offsets, keys, values and timestamps; kafkajs reads them", async () => {
    const c = await connect();
    await create(c, "legacy-v1");
    const plain = msgs("plain", 3);
    const zipped = msgs("gzip", 4, T + 100);
    const v2 = msgs("v2", 2, T + 200);
    const r1 = await c.request(produce, 1, produceReq([["legacy-v1", messageSet(1, plain)]]));
    expect(partition(r1)).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(r1.throttleTimeMs).toBe(0);
    const r2 = await c.request(produce, 1, produceReq([["legacy-v1", gzipSet(1, zipped)]], -1));
    expect(partition(r2)).toMatchObject({ errorCode: 0, baseOffset: 3 });
    const r3 = await c.request(produce, 2, produceReq([["legacy-v1", gzipSet(1, v2)]]));
    expect(partition(r3)).toEqual({ index: 0, errorCode: 0, baseOffset: 7, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: null });
    const all = [...plain, ...zipped, ...v2];
    const want = all.map((m, i) => [i, text(m.key), text(m.value), m.timestamp]);
    const { records } = await fetchAll(c, "legacy-v1");
    expect(records.map((x) => [x.offset, text(x.key), text(x.value), x.timestamp])).toEqual(want);
    expect(records.every((x) => x.headers.length === 0)).toBe(true);

    const consumer = kafkaFor(broker.address).consumer({ groupId: "legacy-v1", maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: "legacy-v1", fromBeginning: true });
    const got: (string | number | null)[][] = [];
    await consumer.run({ eachMessage: async ({ message: m }) => void got.push([Number(m.offset), m.key && m.key.toString(), m.value && m.value.toString(), Number(m.timestamp)]) });
    await eventually(() => (got.length >= all.length ? true : undefined), 20_000, "kafkajs reading the legacy records");
    await consumer.disconnect();
    expect(got).toEqual(want);
  }, 30_000);

  test("a bad CRC-32, outer or inside a gzip wrapper, is CORRUPT_MESSAGE and nothing is stored", async () => {
    const c = await connect();
    await create(c, "legacy-crc");
    const outer = messageSet(0, msgs("crc", 2));
    outer[outer.byteLength - 1]! ^= 1;
    const inner = messageSet(1, msgs("crc", 2));
    inner[inner.byteLength - 1]! ^= 1;
    const wrapped = wrapper(1, 1, new Uint8Array(gzipSync(inner)), 1, T);
    reasons.length = 0;
    for (const [v, records] of [[0, outer], [1, wrapped]] as const) {
      expect(partition(await c.request(produce, v, produceReq([["legacy-crc", records]]))).errorCode).toBe(2);
    }
    expect(reasons).toEqual(["CRC-32 mismatch", "CRC-32 mismatch"]);
    expect((await fetchAll(c, "legacy-crc")).highWatermark).toBe(0);
  });

  test("snappy and lz4 wrappers are UNSUPPORTED_COMPRESSION_TYPE for their partition only", async () => {
    const c = await connect();
    await create(c, "legacy-snappy", "legacy-lz4", "legacy-ok");
    const fake = enc("not really compressed, but its CRC-32 is right");
    const r = await c.request(produce, 2, produceReq([
      ["legacy-snappy", wrapper(1, 2, fake, 1, T)],
      ["legacy-lz4", wrapper(0, 3, fake)],
      ["legacy-ok", messageSet(1, msgs("ok", 2))],
    ]));
    expect([0, 1, 2].map((t) => partition(r, t).errorCode)).toEqual([76, 76, 0]);
    expect(reasons.slice(-2)).toEqual(["snappy in a legacy message set", "lz4 in a legacy message set"]);
    expect((await fetchAll(c, "legacy-snappy")).highWatermark).toBe(0);
    expect((await fetchAll(c, "legacy-ok")).highWatermark).toBe(2);
  });

  test("malformed sets are CORRUPT_MESSAGE: truncated, nested or empty wrappers, bad gzip, magic 2, gzip bombs", async () => {
    const c = await connect();
    await create(c, "legacy-bad");
    const set = messageSet(1, msgs("t", 2));
    const nested = wrapper(1, 1, new Uint8Array(gzipSync(gzipSet(1, msgs("n", 2)))), 0, T);
    // Each wrapper alone is within the inflation cap; together they are not.
    const half = gzipSet(1, [{ key: null, value: new Uint8Array(MAX_INFLATED_BYTES / 2), timestamp: T }]);
    const bad = [
      set.subarray(0, set.byteLength - 3),
      nested,
      gzipSet(1, []),
      encodeMessage(1, 1, { key: null, value: enc("not gzip"), timestamp: T }, 0),
      buildBatch([{ key: null, value: enc("v2") }]),
      concat([set, new Uint8Array(5)]),
      concat([half, half]),
    ];
    reasons.length = 0;
    for (const records of bad) expect(partition(await c.request(produce, 2, produceReq([["legacy-bad", records]]))).errorCode).toBe(2);
    expect(reasons.map((r) => r.replace(/\d+/g, "N"))).toEqual([
      "message size N does not fit in N bytes",
      "compressed message inside a compressed wrapper",
      "compressed wrapper holds no messages",
      "gzip: incorrect header check",
      "magic N in a legacy message set",
      "frame truncated: need N bytes at N of N",
      "gzip wrappers inflate past N bytes",
    ]);
    expect((await fetchAll(c, "legacy-bad")).highWatermark).toBe(0);
  });

  test("acks=0 gets no response; acks=-1 on a file-backed broker survives a restart", async () => {
    const c = await connect();
    await create(c, "legacy-acks0");
    const silent = c.send(produce, 0, produceReq([["legacy-acks0", messageSet(0, msgs("q", 2))]], 0));
    const lo = await c.request(listOffsets, 1, { replicaId: -1, isolationLevel: 0, topics: [{ name: "legacy-acks0", partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] });
    expect(lo.topics[0]!.partitions[0]!.offset).toBe(2);
    expect(c.received.includes(silent)).toBe(false);

    const dir = tempDir("legacy-durable");
    let durable = await startBroker({ port: 0, dataDir: dir.path, log: silentLog });
    try {
      const d = await connect(durable.port);
      await create(d, "legacy-disk");
      const sent = msgs("disk", 5);
      expect(partition(await d.request(produce, 1, produceReq([["legacy-disk", gzipSet(1, sent)]], -1))).errorCode).toBe(0);
      d.close();
      await durable.close();
      durable = await startBroker({ port: 0, dataDir: dir.path, log: silentLog });
      const { records } = await fetchAll(await connect(durable.port), "legacy-disk");
      expect(records.map((x) => [x.offset, text(x.value), x.timestamp])).toEqual(sent.map((m, i) => [i, text(m.value), m.timestamp]));
    } finally {
      await durable.close();
      dir.remove();
    }
  });
});
