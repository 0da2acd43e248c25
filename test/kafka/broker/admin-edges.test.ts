import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Connection, describeProducersV0 } from "@platformatic/kafka";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createPartitions } from "../../../src/kafka/broker/apis/create-partitions.ts";
import { createTopics } from "../../../src/kafka/broker/apis/create-topics.ts";
import { deleteRecords } from "../../../src/kafka/broker/apis/delete-records.ts";
import { describeCluster } from "../../../src/kafka/broker/apis/describe-cluster.ts";
import { describeConfigs } from "../../../src/kafka/broker/apis/describe-configs.ts";
import { describeLogDirs } from "../../../src/kafka/broker/apis/describe-log-dirs.ts";
import { fetch } from "../../../src/kafka/broker/apis/fetch.ts";
import { incrementalAlterConfigs } from "../../../src/kafka/broker/apis/incremental-alter-configs.ts";
import { listOffsets } from "../../../src/kafka/broker/apis/list-offsets.ts";
import { offsetDelete } from "../../../src/kafka/broker/apis/offset-delete.ts";
import { produce } from "../../../src/kafka/broker/apis/produce.ts";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";
import { ZERO_UUID } from "../../../src/kafka/broker/protocol/schema.ts";
import { eventually } from "./helpers/eventually.ts";
import { kafkaFor, recordingConsumer } from "./helpers/kafkajs.ts";
import { RawClient } from "./helpers/raw-client.ts";
import { buildBatch, decodeBatches } from "./helpers/record-batch.ts";
import { tempDir } from "./helpers/temp-dir.ts";

let broker: Broker;
const clients: RawClient[] = [];
const connect = async (b = broker) => {
  const c = await RawClient.connect(b.port);
  clients.push(c);
  return c;
};
beforeAll(async () => {
  broker = await startBroker({ port: 0, log: silentLog, groupInitialRebalanceDelayMs: 0 });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await broker.close();
});

const enc = (s: string) => new TextEncoder().encode(s);
const TOPIC = 2;
const BROKER = 4;

async function create(c: RawClient, name: string, partitions = 1, configs: { name: string; value: string | null }[] = []) {
  const r = await c.request(createTopics, 4, { topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs }], timeoutMs: 1000, validateOnly: false });
  return r.topics[0]!;
}
async function produceTo(c: RawClient, topic: string, partition: number, count: number) {
  const records = buildBatch(Array.from({ length: count }, (_, i) => ({ key: enc(`k${i}`), value: enc(`v${i}`), headers: [] })));
  const r = await c.request(produce, 7, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] });
  return r.responses[0]!.partitionResponses[0]!;
}
const describeTopic = (c: RawClient, version: number, name: string, keys: string[] | null = null) =>
  c.request(describeConfigs, version, { resources: [{ resourceType: TOPIC, resourceName: name, configurationKeys: keys }], includeSynonyms: true, includeDocumentation: true });

describe("DescribeConfigs", () => {
  test("v0 reports defaults with isDefault, v3 with sources, types and documentation; only the keys asked for", async () => {
    const c = await connect();
    await create(c, "dc-versions", 1, [{ name: "retention.ms", value: "1000" }]);
    const v0 = await describeTopic(c, 0, "dc-versions", ["retention.ms", "cleanup.policy", "no.such.config"]);
    expect(v0.results[0]!.configs.map((e) => [e.name, e.value, e.isDefault])).toEqual([
      ["cleanup.policy", "delete", true],
      ["retention.ms", "1000", false],
    ]);
    const v3 = await describeTopic(c, 3, "dc-versions", ["retention.ms"]);
    const entry = v3.results[0]!.configs[0]!;
    expect([entry.configSource, entry.configType, entry.isSensitive, entry.readOnly]).toEqual([1, 5, false, false]);
    expect(entry.documentation).toContain("segment");
    expect(entry.synonyms.map((s) => [s.name, s.source])).toEqual([["retention.ms", 1], ["log.retention.ms", 5]]);
  });

  test("an unknown topic, another broker id and an unsupported resource type are errors per resource, not per request", async () => {
    const c = await connect();
    await create(c, "dc-ok");
    const r = await c.request(describeConfigs, 3, {
      resources: [
        { resourceType: TOPIC, resourceName: "dc-missing", configurationKeys: null },
        { resourceType: BROKER, resourceName: "7", configurationKeys: null },
        { resourceType: 8, resourceName: "0", configurationKeys: null },
        { resourceType: TOPIC, resourceName: "dc-ok", configurationKeys: null },
        { resourceType: BROKER, resourceName: "", configurationKeys: ["num.partitions"] },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    expect(r.results.map((x) => [x.errorCode, x.errorMessage])).toEqual([
      [3, "Topic dc-missing does not exist."],
      [42, "Broker 7 is not this broker (0)."],
      [42, "Resource type 8 has no configs on this broker (topics 2 and the broker 4 do)."],
      [0, null],
      [0, null],
    ]);
    expect(r.results[3]!.configs.length).toBeGreaterThan(5);
    expect(r.results[4]!.configs.map((x) => [x.name, x.value, x.readOnly])).toEqual([["num.partitions", "1", true]]);
  });
});

describe("IncrementalAlterConfigs", () => {
  const alter = (c: RawClient, name: string, configs: { name: string; configOperation: number; value: string | null }[], validateOnly = false) =>
    c.request(incrementalAlterConfigs, 0, { resources: [{ resourceType: TOPIC, resourceName: name, configs }], validateOnly }).then((r) => r.responses[0]!);
  const values = async (c: RawClient, name: string) => Object.fromEntries((await describeTopic(c, 3, name)).results[0]!.configs.filter((e) => e.configSource === 1).map((e) => [e.name, e.value]));

  test("SET, DELETE, APPEND and SUBTRACT change only what they name; validateOnly changes nothing", async () => {
    const c = await connect();
    await create(c, "iac", 1, [{ name: "retention.bytes", value: "5000" }]);
    expect(await alter(c, "iac", [{ name: "retention.ms", configOperation: 0, value: "60000" }])).toMatchObject({ errorCode: 0 });
    expect(await values(c, "iac")).toEqual({ "retention.bytes": "5000", "retention.ms": "60000" });
    expect(await alter(c, "iac", [{ name: "cleanup.policy", configOperation: 2, value: "compact" }])).toMatchObject({ errorCode: 0 });
    expect((await values(c, "iac"))["cleanup.policy"]).toBe("delete,compact");
    expect(await alter(c, "iac", [{ name: "cleanup.policy", configOperation: 3, value: "delete" }, { name: "retention.bytes", configOperation: 1, value: null }])).toMatchObject({ errorCode: 0 });
    expect(await values(c, "iac")).toEqual({ "retention.ms": "60000", "cleanup.policy": "compact" });
    expect(await alter(c, "iac", [{ name: "retention.ms", configOperation: 0, value: "1" }], true)).toMatchObject({ errorCode: 0 });
    // Tools write Long.MAX_VALUE for "forever"; it is a valid retention.
    expect(await alter(c, "iac", [{ name: "retention.bytes", configOperation: 0, value: "9223372036854775807" }], true)).toMatchObject({ errorCode: 0 });
    expect(await alter(c, "iac", [{ name: "retention.bytes", configOperation: 0, value: "9223372036854775808" }], true)).toMatchObject({ errorCode: 40 });
    expect((await values(c, "iac"))["retention.ms"]).toBe("60000");
  });

  test("bad changes are refused with a message naming the config, and nothing of the resource changes", async () => {
    const c = await connect();
    await create(c, "iac-bad");
    const cases: [Parameters<typeof alter>[2], number, string][] = [
      [[{ name: "retention.ms", configOperation: 2, value: "5" }], 40, "Config value append and subtract are not allowed for retention.ms, which is not a list."],
      [[{ name: "segment.bytes", configOperation: 0, value: "12" }], 40, "Invalid value for segment.bytes: must be between 1024 and 2147483647, got 12"],
      [[{ name: "unclean.leader.election.enable", configOperation: 0, value: "true" }], 40, "Unknown topic config name: unclean.leader.election.enable"],
      [[{ name: "retention.ms", configOperation: 0, value: "5" }, { name: "retention.ms", configOperation: 1, value: null }], 42, "A config is named twice."],
      [[{ name: "retention.ms", configOperation: 9, value: "5" }], 42, "Unknown config operation 9 for retention.ms."],
      [[{ name: "retention.ms", configOperation: 0, value: "5" }, { name: "compression.type", configOperation: 0, value: "zstd" }], 40, 'Invalid value for compression.type: must be "producer" on this broker, got "zstd"'],
    ];
    for (const [configs, errorCode, errorMessage] of cases) expect(await alter(c, "iac-bad", configs)).toMatchObject({ errorCode, errorMessage });
    expect(await values(c, "iac-bad")).toEqual({});
    const onBroker = await c.request(incrementalAlterConfigs, 0, { resources: [{ resourceType: BROKER, resourceName: "0", configs: [{ name: "log.retention.ms", configOperation: 0, value: "1" }] }], validateOnly: false });
    expect(onBroker.responses[0]).toMatchObject({ errorCode: 42, errorMessage: "Broker configs are static on this broker: they are set by its start-up options." });
  });
});

describe("CreatePartitions", () => {
  test("assignments must name this broker once per new partition; validateOnly adds nothing; a topic named twice is refused", async () => {
    const c = await connect();
    await create(c, "cp");
    const grow = (topics: { name: string; count: number; assignments: { brokerIds: number[] }[] | null }[], validateOnly = false) =>
      c.request(createPartitions, 1, { topics, timeoutMs: 1000, validateOnly }).then((r) => r.results.map((x) => [x.errorCode, x.errorMessage]));
    expect(await grow([{ name: "cp", count: 3, assignments: [{ brokerIds: [0] }] }])).toEqual([[39, "2 new partitions need as many assignments, got 1."]]);
    expect(await grow([{ name: "cp", count: 2, assignments: [{ brokerIds: [0, 1] }] }])).toEqual([[39, "This broker is a single node: every new partition's replicas must be [0]."]]);
    expect(await grow([{ name: "cp", count: 2, assignments: null }], true)).toEqual([[0, null]]);
    expect(await grow([{ name: "cp", count: 2, assignments: null }, { name: "cp", count: 3, assignments: null }])).toEqual([
      [42, "Topic cp is named twice."],
      [42, "Topic cp is named twice."],
    ]);
    expect(await grow([{ name: "cp", count: 2, assignments: [{ brokerIds: [0] }] }])).toEqual([[0, null]]);
    const r = await c.request(describeLogDirs, 1, { topics: [{ topic: "cp", partitions: [0, 1, 2] }] });
    expect(r.results[0]!.topics[0]!.partitions.map((p) => p.partitionIndex)).toEqual([0, 1]);
    expect(r.results[0]!.logDir).toBe("(memory)");
  });

  test("partition directories left beyond the recorded count by a crash are removed on start", async () => {
    const dir = tempDir("cp-crash");
    try {
      const b1 = await startBroker({ port: 0, log: silentLog, dataDir: dir.path });
      const c1 = await connect(b1);
      await create(c1, "cp-crash", 2);
      await b1.close();
      // As if CreatePartitions had made partition 2's directory when the broker died, before the marker.
      mkdirSync(join(dir.path, "topics", "cp-crash", "2"));
      const b2 = await startBroker({ port: 0, log: silentLog, dataDir: dir.path });
      expect(existsSync(join(dir.path, "topics", "cp-crash", "2"))).toBe(false);
      const c2 = await connect(b2);
      const grown = await c2.request(createPartitions, 1, { topics: [{ name: "cp-crash", count: 3, assignments: null }], timeoutMs: 1000, validateOnly: false });
      expect(grown.results[0]!.errorCode).toBe(0);
      expect(readdirSync(join(dir.path, "topics", "cp-crash")).filter((e) => /^\d+$/.test(e)).sort()).toEqual(["0", "1", "2"]);
      await b2.close();
    } finally {
      dir.remove();
    }
  });
});

describe("DeleteRecords in memory", () => {
  test("the start offset moves inside a batch; Fetch below it is OFFSET_OUT_OF_RANGE, from it returns the batch holding it", async () => {
    const c = await connect();
    await create(c, "dr-mem");
    await produceTo(c, "dr-mem", 0, 5);
    await produceTo(c, "dr-mem", 0, 5);
    const del = await c.request(deleteRecords, 1, { topics: [{ name: "dr-mem", partitions: [{ partitionIndex: 0, offset: 7 }, { partitionIndex: 4, offset: 1 }] }], timeoutMs: 1000 });
    expect(del.topics[0]!.partitions).toEqual([{ partitionIndex: 0, lowWatermark: 7, errorCode: 0 }, { partitionIndex: 4, lowWatermark: -1, errorCode: 3 }]);
    const lower = await c.request(deleteRecords, 1, { topics: [{ name: "dr-mem", partitions: [{ partitionIndex: 0, offset: 2 }] }], timeoutMs: 1000 });
    expect(lower.topics[0]!.partitions[0]).toEqual({ partitionIndex: 0, lowWatermark: 7, errorCode: 0 });
    const earliest = await c.request(listOffsets, 3, { replicaId: -1, isolationLevel: 0, topics: [{ name: "dr-mem", partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2 }] }] });
    expect(earliest.topics[0]!.partitions[0]!.offset).toBe(7);
    const byTime = await c.request(listOffsets, 3, { replicaId: -1, isolationLevel: 0, topics: [{ name: "dr-mem", partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: 0 }] }] });
    expect(byTime.topics[0]!.partitions[0]!.offset).toBe(7);
    const fetchAt = (fetchOffset: number) =>
      c.request(fetch, 11, {
        replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic: "dr-mem", topicId: ZERO_UUID, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
        forgottenTopicsData: [], rackId: "",
      }).then((r) => r.responses[0]!.partitions[0]!);
    expect((await fetchAt(3)).errorCode).toBe(1);
    const at7 = await fetchAt(7);
    expect([at7.errorCode, at7.logStartOffset, at7.highWatermark]).toEqual([0, 7, 10]);
    // The second batch (offsets 5–9) holds offset 7; clients skip the records below their fetch offset.
    expect(decodeBatches(at7.records as Uint8Array).map((r) => r.offset)).toEqual([5, 6, 7, 8, 9]);
  });
});

describe("OffsetDelete", () => {
  test("unknown group, a topic a live member reads, and unknown partitions are refused; other offsets go", async () => {
    const c = await connect();
    expect(await c.request(offsetDelete, 0, { groupId: "od-nobody", topics: [] })).toMatchObject({ errorCode: 69 });
    await create(c, "od-read");
    await create(c, "od-other");
    const kafka = kafkaFor(broker.address);
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: "od-group", topic: "od-other", partitions: [{ partition: 0, offset: "0" }] });
    const member = await recordingConsumer(kafka, "od-group", "od-read");
    await eventually(async () => ((await admin.describeGroups(["od-group"])).groups[0]!.state === "Stable" ? true : undefined), 15_000, "a stable group");
    const r = await c.request(offsetDelete, 0, { groupId: "od-group", topics: [{ name: "od-read", partitions: [{ partitionIndex: 0 }] }, { name: "od-other", partitions: [{ partitionIndex: 0 }, { partitionIndex: 5 }] }] });
    expect(r.errorCode).toBe(0);
    expect(r.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])])).toEqual([
      ["od-read", [[0, 86]]],
      ["od-other", [[0, 0], [5, 3]]],
    ]);
    await member.consumer.disconnect();
    const left = await admin.fetchOffsets({ groupId: "od-group", topics: ["od-other"] });
    expect(left[0]!.partitions).toEqual([{ partition: 0, offset: "-1", metadata: null }]);
    await admin.disconnect();
  }, 30_000);
});

describe("DescribeCluster", () => {
  test("describes this node as the cluster and its controller; controller endpoints are refused", async () => {
    const c = await connect();
    const r = await c.request(describeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
    expect(r).toMatchObject({ errorCode: 0, clusterId: "loyaltea-embedded", controllerId: 0, brokers: [{ brokerId: 0, host: "127.0.0.1", port: broker.port, rack: null }], clusterAuthorizedOperations: -2147483648 });
    const controllers = await c.request(describeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
    expect(controllers).toMatchObject({ errorCode: 119, brokers: [] });
  });
});

describe("max.message.bytes", () => {
  test("a batch over the topic's limit is refused with MESSAGE_TOO_LARGE and nothing is appended", async () => {
    const c = await connect();
    await create(c, "mmb", 1, [{ name: "max.message.bytes", value: "200" }]);
    expect(await produceTo(c, "mmb", 0, 1)).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(await produceTo(c, "mmb", 0, 30)).toMatchObject({ errorCode: 10, baseOffset: -1 });
    const end = await c.request(listOffsets, 3, { replicaId: -1, isolationLevel: 0, topics: [{ name: "mmb", partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] });
    expect(end.topics[0]!.partitions[0]!.offset).toBe(1);
  });
});

describe("DescribeProducers", () => {
  test("lists each idempotent producer of a partition with its epoch, last sequence and timestamp; plain producers are not listed", async () => {
    const c = await connect();
    await create(c, "dp");
    await produceTo(c, "dp", 0, 3); // a plain batch (producer id -1)
    const kafka = kafkaFor(broker.address);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 3; i++) await producer.send({ topic: "dp", acks: -1, messages: [{ value: `a${i}`, timestamp: String(1_700_000_000_000 + i) }, { value: `b${i}`, timestamp: String(1_700_000_000_000 + i) }] });
    await producer.disconnect();
    const conn = new Connection("describe-producers");
    await conn.connect("127.0.0.1", broker.port);
    try {
      const r = await describeProducersV0.api.async(conn, [{ name: "dp", partitionIndexes: [0] }]);
      const active = r.topics[0]!.partitions[0]!.activeProducers;
      expect(active.length).toBe(1);
      expect(active[0]!.producerId).toBeGreaterThanOrEqual(0n);
      expect([active[0]!.producerEpoch, active[0]!.lastSequence, active[0]!.lastTimestamp, active[0]!.coordinatorEpoch]).toEqual([0, 5, 1_700_000_000_002n, -1]);
      const missing = await describeProducersV0.api.async(conn, [{ name: "dp", partitionIndexes: [3] }]).catch((e: Error) => e);
      expect(missing).toBeInstanceOf(Error);
    } finally {
      await conn.close();
    }
  });
});
