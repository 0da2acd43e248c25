import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { apiVersions } from "../../../src/kafka/broker/apis/api-versions.ts";
import { fetch } from "../../../src/kafka/broker/apis/fetch.ts";
import { joinGroup } from "../../../src/kafka/broker/apis/join-group.ts";
import { listOffsets } from "../../../src/kafka/broker/apis/list-offsets.ts";
import { metadata } from "../../../src/kafka/broker/apis/metadata.ts";
import { produce } from "../../../src/kafka/broker/apis/produce.ts";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";
import { Reader } from "../../../src/kafka/broker/protocol/reader.ts";
import { Writer } from "../../../src/kafka/broker/protocol/writer.ts";
import { apis } from "../../../src/kafka/broker/registry.ts";
import { buildBatch, decodeBatches } from "./helpers/record-batch.ts";
import { RawClient } from "./helpers/raw-client.ts";
import { metadataRequest } from "./helpers/requests.ts";
import { ZERO_UUID } from "../../../src/kafka/broker/protocol/schema.ts";

let broker: Broker;
const clients: RawClient[] = [];
const connect = async () => {
  const c = await RawClient.connect(broker.port);
  clients.push(c);
  return c;
};
const enc = (s: string) => new TextEncoder().encode(s);
const software = { clientSoftwareName: "loyaltea-test", clientSoftwareVersion: "1.0" };
const produceReq = (topic: string, records: Uint8Array, acks = 1) => ({
  transactionalId: null,
  acks,
  timeoutMs: 1000,
  topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
});
const fetchReq = (topic: string, offset: number, maxWaitMs = 0, minBytes = 1) => ({
  replicaId: -1, maxWaitMs, minBytes, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
  topics: [{ topic, topicId: ZERO_UUID, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
  forgottenTopicsData: [], rackId: "",
});

async function createTopic(c: RawClient, name: string) {
  const md = await c.request(metadata, 1, metadataRequest([name], true));
  expect(md.topics[0]!.errorCode).toBe(0);
}

beforeAll(async () => {
  broker = await startBroker({ port: 0, log: silentLog, groupInitialRebalanceDelayMs: 0 });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await broker.close();
});

describe("connection rules", () => {
  test("ApiVersions v4 (newer than served) gets UNSUPPORTED_VERSION in the v0 layout with the ranges", async () => {
    const c = await connect();
    const resp = await c.response(apiVersions, 0, c.send(apiVersions, 4, software));
    expect(resp.errorCode).toBe(35);
    expect(resp.apiKeys.find((k) => k.apiKey === 18)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 3 });
    expect(resp.apiKeys.length).toBe(apis.length);
    const retry = await c.request(apiVersions, 0, software);
    expect(retry.errorCode).toBe(0);
    expect(c.closed).toBe(false);
  });

  test("ApiVersions v3 (flexible) answers in the v3 layout with header v0 and empty feature tags", async () => {
    const c = await connect();
    const resp = await c.request(apiVersions, 3, software);
    expect(resp.errorCode).toBe(0);
    expect(resp.apiKeys.length).toBe(apis.length);
    expect(resp).toMatchObject({ throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1, finalizedFeatures: [], zkMigrationReady: false });
    const bad = await c.request(apiVersions, 3, { clientSoftwareName: "bad name!", clientSoftwareVersion: "1" });
    expect(bad.errorCode).toBe(42);
    expect(c.closed).toBe(false);
  });

  test("a flexible request header's tagged fields are skipped, known or not", async () => {
    const c = await connect();
    const w = new Writer();
    w.int32(0);
    w.int16(apiVersions.key);
    w.int16(3);
    w.int32(4242);
    w.nullableString("tagged-header");
    // two tagged fields the broker does not know: tag 0 (3 bytes) and tag 7 (0 bytes)
    w.unsignedVarint(2);
    w.unsignedVarint(0);
    w.unsignedVarint(3);
    w.raw(new Uint8Array([1, 2, 3]));
    w.unsignedVarint(7);
    w.unsignedVarint(0);
    apiVersions.request.write(w, software, 3);
    const bytes = w.toBytes();
    new DataView(bytes.buffer, bytes.byteOffset).setInt32(0, bytes.byteLength - 4);
    const answered = new Promise<Uint8Array>((resolve) => c.onResponse(4242, resolve));
    c.write(bytes);
    const resp = apiVersions.response.read(new Reader(await answered), 3);
    expect(resp.errorCode).toBe(0);
  });

  test("an unknown API key closes that connection only", async () => {
    const bad = await connect();
    const good = await connect();
    bad.send({ ...metadata, key: 77 }, 0, metadataRequest([], false));
    await bad.closedPromise;
    expect(bad.closed).toBe(true);
    const r = await good.request(apiVersions, 2, software);
    expect(r.errorCode).toBe(0);
  });

  test("an unsupported version of a known API closes the connection", async () => {
    const c = await connect();
    c.send(produce, 10, produceReq("x", new Uint8Array(0)));
    await c.closedPromise;
    expect(c.closed).toBe(true);
  });

  test("acks=0 gets no response while the next request still does, in order", async () => {
    const c = await connect();
    await createTopic(c, "acks0");
    const silent = c.send(produce, 7, produceReq("acks0", buildBatch([{ key: null, value: enc("a") }]), 0));
    const r = await c.request(listOffsets, 1, { replicaId: -1, isolationLevel: 0, topics: [{ name: "acks0", partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] });
    expect(r.topics[0]!.partitions[0]!.offset).toBe(1);
    expect(c.received.includes(silent)).toBe(false);
  });

  test("a batch with a bad CRC is rejected with CORRUPT_MESSAGE and not stored", async () => {
    const c = await connect();
    await createTopic(c, "crc");
    const batch = buildBatch([{ key: null, value: enc("payload") }]);
    batch[batch.byteLength - 1]! ^= 1;
    const r = await c.request(produce, 7, produceReq("crc", batch));
    expect(r.responses[0]!.partitionResponses[0]!.errorCode).toBe(2);
    const f = await c.request(fetch, 11, fetchReq("crc", 0));
    expect(f.responses[0]!.partitions[0]!.highWatermark).toBe(0);
  });

  test("responses keep request order while a join is held", async () => {
    const c = await connect();
    const join = c.send(joinGroup, 3, {
      groupId: "held", sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: "", groupInstanceId: null, protocolType: "consumer",
      protocols: [{ name: "range", metadata: new Uint8Array([1]) }], reason: null,
    });
    const versions = c.send(apiVersions, 1, software);
    await c.response(apiVersions, 1, versions);
    // The join completes after the (zero) initial delay; ApiVersions must not overtake it.
    expect(c.received.indexOf(join)).toBeLessThan(c.received.indexOf(versions));
    expect(c.received.indexOf(join)).toBeGreaterThanOrEqual(0);
  });

  test("a long-poll fetch is woken by a produce and returns the produced bytes with a valid CRC", async () => {
    const consumer = await connect();
    const producer = await connect();
    await createTopic(producer, "poll");
    const pending = consumer.request(fetch, 11, fetchReq("poll", 0, 30_000));
    await Bun.sleep(50);
    await producer.request(produce, 7, produceReq("poll", buildBatch([{ key: enc("k"), value: enc("v"), headers: [{ key: "h", value: enc("x") }] }])));
    const f = await pending;
    const p = f.responses[0]!.partitions[0]!;
    expect(p.highWatermark).toBe(1);
    expect(p.lastStableOffset).toBe(1);
    const recs = decodeBatches(p.records as Uint8Array);
    expect(recs.map((r) => [r.offset, new TextDecoder().decode(r.value!)])).toEqual([[0, "v"]]);
  });

  test("a fetch in the middle of a batch returns that batch, never one ending below the offset", async () => {
    const c = await connect();
    await createTopic(c, "mid");
    for (let b = 0; b < 3; b++) {
      await c.request(produce, 7, produceReq("mid", buildBatch([0, 1, 2].map((i) => ({ key: null, value: enc(`${b}-${i}`) })))));
    }
    const f = await c.request(fetch, 11, fetchReq("mid", 4));
    const recs = decodeBatches(f.responses[0]!.partitions[0]!.records as Uint8Array);
    expect(recs[0]!.offset).toBe(3);
    expect(recs.at(-1)!.offset).toBe(8);
    const past = await c.request(fetch, 11, fetchReq("mid", 10));
    expect(past.responses[0]!.partitions[0]!.errorCode).toBe(1);
  });

  test("ListOffsets finds earliest, latest and the first record at a timestamp", async () => {
    const c = await connect();
    await createTopic(c, "times");
    const base = 1_700_000_000_000;
    await c.request(produce, 7, produceReq("times", buildBatch([0, 10, 20].map((d) => ({ key: null, value: enc("t"), timestamp: base + d })))));
    await c.request(produce, 7, produceReq("times", buildBatch([{ key: null, value: enc("u"), timestamp: base + 100 }], { gzip: true })));
    const ask = (timestamp: number) =>
      c.request(listOffsets, 3, { replicaId: -1, isolationLevel: 0, topics: [{ name: "times", partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }] }).then((r) => r.topics[0]!.partitions[0]!);
    expect((await ask(-2)).offset).toBe(0);
    expect((await ask(-1)).offset).toBe(4);
    expect(await ask(base + 5)).toMatchObject({ offset: 1, timestamp: base + 10 });
    expect(await ask(base + 50)).toMatchObject({ offset: 3, timestamp: base + 100 });
    expect((await ask(base + 1000)).offset).toBe(-1);
  });

  test("Metadata advertises the address the client used and auto-creates with the default partitions", async () => {
    const c = await connect();
    const md = await c.request(metadata, 6, metadataRequest(["auto"], true));
    expect(md.brokers).toEqual([{ nodeId: 0, host: "127.0.0.1", port: broker.port, rack: null }]);
    expect(md.controllerId).toBe(0);
    expect(md.topics[0]!.partitions.length).toBe(1);
    const none = await c.request(metadata, 6, metadataRequest(["not-created"], false));
    expect(none.topics[0]!.errorCode).toBe(3);
    const bad = await c.request(metadata, 1, metadataRequest(["bad name!"], true));
    expect(bad.topics[0]!.errorCode).toBe(17);
  });
});

test("Reader rejects reads past the end", () => {
  expect(() => new Reader(new Uint8Array(3)).int32()).toThrow();
});
