import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  alterConfigsV2,
  apiVersionsV3,
  Connection,
  createPartitionsV3,
  deleteRecordsV2,
  describeAclsV3,
  describeClusterV1,
  describeConfigsV4,
  describeGroupsV5,
  describeLogDirsV4,
  fetchV13,
  incrementalAlterConfigsV1,
  listGroupsV4,
  listOffsetsV7,
  metadataV12,
  offsetDeleteV0,
  offsetFetchV8,
  produceV9,
} from "@platformatic/kafka";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";
import { apiRanges } from "../../../src/kafka/broker/registry.ts";
import { eventually } from "./helpers/eventually.ts";
import { kafkaFor } from "./helpers/kafkajs.ts";
import { tempDir } from "./helpers/temp-dir.ts";

/**
 * Replays the calls Kafka UI (kafbat/kafka-ui, through the Java AdminClient) makes, with an independent
 * flexible-version codec (@platformatic/kafka's per-version request builders and response parsers, which
 * throw on any error code in a response). Each call is made at the version the Java client would pick
 * against a broker serving the latest versions; a call whose version this broker does not serve yet is
 * reported as skipped rather than silently downgraded.
 */

const TOPIC = "ui-orders";
const GROUP = "ui-readers";
const TOPIC_TYPE = 2;
const BROKER_TYPE = 4;

const dir = tempDir("kafka-ui");
let broker: Broker;
let conn: Connection;

const served = (key: number, version: number) => apiRanges.some((r) => r.apiKey === key && r.minVersion <= version && version <= r.maxVersion);

beforeAll(async () => {
  broker = await startBroker({ port: 0, log: silentLog, dataDir: dir.path, groupInitialRebalanceDelayMs: 20 });
  // The cluster Kafka UI looks at: a topic with data in two partitions and a group that committed offsets.
  const kafka = kafkaFor(broker.address);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `order-${i}`, partition: i % 2 })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: GROUP, maxWaitTimeInMs: 100 });
  let seen = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({ eachMessage: async () => void seen++ });
  await eventually(() => (seen >= 20 ? true : undefined), 20_000, "the group reading everything");
  await consumer.disconnect();

  conn = new Connection("kafka-ui-replay");
  await conn.connect("127.0.0.1", broker.port);
}, 40_000);

afterAll(async () => {
  await conn?.close();
  await broker?.close();
  dir.remove();
});

type Step = { name: string; key: number; version: number; run: () => Promise<unknown> };

const step = (name: string, key: number, version: number, run: () => Promise<unknown>): Step => ({ name, key, version, run });

/** One test per call; a call fails if the response carries any error code (the parsers throw). */
function replay(phase: string, steps: Step[]): void {
  describe(phase, () => {
    for (const s of steps) test.skipIf(!served(s.key, s.version))(`${s.name} (key ${s.key} v${s.version})`, async () => void (await s.run()), 15_000);
  });
}

describe("Kafka UI replay", () => {
  test("every admin call Kafka UI depends on is served at the flexible version the Java AdminClient uses", () => {
    const needed = { DescribeCluster: [60, 1], DescribeConfigs: [32, 4], DescribeLogDirs: [35, 4], IncrementalAlterConfigs: [44, 1], AlterConfigs: [33, 2], CreatePartitions: [37, 3], DeleteRecords: [21, 2], OffsetDelete: [47, 0], ApiVersions: [18, 3] };
    const missing = Object.entries(needed).filter(([, [key, v]]) => !served(key!, v!));
    expect(missing).toEqual([]);
  });

  replay("on connect", [
    step("describeFeatures: ApiVersions with the client's software name", 18, 3, async () => {
      const r = await apiVersionsV3.api.async(conn, "kafka-ui", "1.0.0");
      expect(r.apiKeys.length).toBe(apiRanges.length);
    }),
    step("describeCluster", 60, 1, async () => {
      const r = await describeClusterV1.api.async(conn, true, 1);
      expect(r.clusterId).toBe("loyaltea-embedded");
      expect(r.brokers.map((b) => [b.brokerId, b.port])).toEqual([[0, broker.port]]);
      expect(r.controllerId).toBe(0);
      expect(r.clusterAuthorizedOperations & (1 << 10)).not.toBe(0); // DESCRIBE_CONFIGS, which the UI checks before showing configs
    }),
    step("DescribeConfigs of the broker, with synonyms and documentation", 32, 4, async () => {
      const r = await describeConfigsV4.api.async(conn, [{ resourceType: BROKER_TYPE, resourceName: "0", configurationKeys: null }], true, true);
      const names = r.results[0]!.configs.map((c) => c.name);
      expect(names).toContain("log.retention.ms");
      expect(r.results[0]!.configs.every((c) => c.readOnly && c.documentation !== null)).toBe(true);
    }),
    step("describeAcls of everything (SECURITY_DISABLED, 54, without authentication: Kafka UI then hides ACLs)", 29, 3, async () => {
      const filter = { resourceType: 1, resourceName: null, resourcePatternType: 1, principal: null, host: null, operation: 1, permissionType: 1 } as const;
      const r = await describeAclsV3.api.async(conn, filter).catch((e: { response?: { errorCode: number } }) => e.response);
      expect([0, 54]).toContain(r!.errorCode);
    }),
  ]);

  replay("dashboard refresh", [
    step("DescribeLogDirs with real sizes and disk space", 35, 4, async () => {
      const r = await describeLogDirsV4.api.async(conn, [{ name: TOPIC, partitions: [0, 1] }]);
      const logDir = r.results[0]!;
      expect(logDir.logDir).toBe(dir.path);
      expect(logDir.topics[0]!.partitions.every((p) => p.partitionSize > 0n)).toBe(true);
      expect(logDir.totalBytes).toBeGreaterThan(0n);
      expect(logDir.usableBytes).toBeGreaterThan(0n);
    }),
    step("ListGroups", 16, 4, async () => {
      const r = await listGroupsV4.api.async(conn, [], []);
      expect(r.groups.map((g) => g.groupId)).toContain(GROUP);
    }),
    step("describeTopics: Metadata with topic ids", 3, 12, async () => {
      const r = await metadataV12.api.async(conn, [TOPIC], false, true);
      expect(r.topics[0]!.partitions.length).toBe(2);
    }),
    step("DescribeConfigs of every topic", 32, 4, async () => {
      const r = await describeConfigsV4.api.async(conn, [{ resourceType: TOPIC_TYPE, resourceName: TOPIC, configurationKeys: null }], true, true);
      expect(r.results[0]!.configs.find((c) => c.name === "cleanup.policy")!.value).toBe("delete");
    }),
    step("ListOffsets, earliest and latest", 2, 7, async () => {
      for (const timestamp of [-2n, -1n]) {
        const r = await listOffsetsV7.api.async(conn, -1, 0, [{ name: TOPIC, partitions: [0, 1].map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp })) }]);
        expect(r.topics[0]!.partitions.map((p) => p.offset)).toEqual(timestamp === -2n ? [0n, 0n] : [10n, 10n]);
      }
    }),
    step("describeConsumerGroups", 15, 5, async () => {
      const r = await describeGroupsV5.api.async(conn, [GROUP], true);
      expect(r.groups[0]!.groupState).toBe("Empty");
    }),
    step("listConsumerGroupOffsets", 9, 8, async () => {
      const r = await offsetFetchV8.api.async(conn, [{ groupId: GROUP, memberId: null, memberEpoch: -1, topics: null }], false);
      const committed = r.groups[0]!.topics.flatMap((t) => t.partitions.map((p) => p.committedOffset));
      expect(committed).toEqual([10n, 10n]);
    }),
  ]);

  replay("browse and produce", [
    step("produce a message from the UI", 0, 9, async () => {
      const r = await produceV9.api.async(conn, -1, 5000, [{ topic: TOPIC, partition: 0, key: Buffer.from("ui"), value: Buffer.from("from the UI") }], {});
      if (typeof r === "boolean") throw new Error("acks=-1 produce got no response");
      expect(r.responses[0]!.partitionResponses[0]!.baseOffset).toBe(10n);
    }),
    step("browse messages: Fetch by topic id", 1, 13, async () => {
      const meta = await metadataV12.api.async(conn, [TOPIC], false, false);
      const topicId = meta.topics[0]!.topicId;
      const r = await fetchV13.api.async(conn, 100, 1, 1 << 20, 0, 0, -1, [{ topicId, partitions: [{ partition: 1, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }] }], [], "");
      expect(r.responses[0]!.partitions[0]!.highWatermark).toBe(10n);
    }),
  ]);

  replay("topic editing", [
    step("IncrementalAlterConfigs: set retention.ms, append to cleanup.policy", 44, 1, async () => {
      await incrementalAlterConfigsV1.api.async(
        conn,
        [{ resourceType: TOPIC_TYPE, resourceName: TOPIC, configs: [{ name: "retention.ms", configOperation: 0, value: "86400000" }, { name: "cleanup.policy", configOperation: 2, value: "compact" }] }],
        false,
      );
      const r = await describeConfigsV4.api.async(conn, [{ resourceType: TOPIC_TYPE, resourceName: TOPIC, configurationKeys: ["retention.ms", "cleanup.policy"] }], false, false);
      expect(Object.fromEntries(r.results[0]!.configs.map((c) => [c.name, c.value]))).toEqual({ "retention.ms": "86400000", "cleanup.policy": "delete,compact" });
    }),
    step("AlterConfigs (older tools): back to a plain delete policy", 33, 2, async () => {
      await alterConfigsV2.api.async(conn, [{ resourceType: TOPIC_TYPE, resourceName: TOPIC, configs: [{ name: "cleanup.policy", value: "delete" }, { name: "retention.ms", value: "86400000" }] }], false);
    }),
    step("CreatePartitions: 2 → 3", 37, 3, async () => {
      await createPartitionsV3.api.async(conn, [{ name: TOPIC, count: 3, assignments: null }], 5000, false);
      const r = await describeLogDirsV4.api.async(conn, [{ name: TOPIC, partitions: [0, 1, 2] }]);
      expect(r.results[0]!.topics[0]!.partitions.map((p) => p.partitionIndex).sort()).toEqual([0, 1, 2]);
    }),
    step("DeleteRecords: purge partition 1", 21, 2, async () => {
      const r = await deleteRecordsV2.api.async(conn, [{ name: TOPIC, partitions: [{ partitionIndex: 1, offset: -1n }] }], 5000);
      expect(r.topics[0]!.partitions[0]!.lowWatermark).toBe(10n);
    }),
    step("OffsetDelete: forget the group's offsets of partition 0", 47, 0, async () => {
      await offsetDeleteV0.api.async(conn, GROUP, [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }]);
      const kafka = kafkaFor(broker.address);
      const admin = kafka.admin();
      await admin.connect();
      const offsets = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      await admin.disconnect();
      expect(offsets[0]!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([[0, "-1"], [1, "10"], [2, "-1"]]);
    }),
  ]);
});
