import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Admin, Producer } from "@platformatic/kafka";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";
import { tempDir } from "./helpers/temp-dir.ts";

/** @platformatic/kafka's Admin client (flexible versions only) for the config, partition and record calls. */
const dir = tempDir("admin-platformatic");
let broker: Broker;
let admin: Admin;
beforeAll(async () => {
  broker = await startBroker({ port: 0, log: silentLog, dataDir: dir.path });
  admin = new Admin({ clientId: "plt-admin-configs", bootstrapBrokers: [broker.address], retries: 1, retryDelay: 100 });
});
afterAll(async () => {
  await admin.close();
  await broker.close();
  dir.remove();
});

const TOPIC = 2;

async function produce(topic: string, partition: number, count: number): Promise<void> {
  const producer = new Producer({ clientId: "plt-admin-producer", bootstrapBrokers: [broker.address] });
  try {
    await producer.send({ messages: Array.from({ length: count }, (_, i) => ({ topic, partition, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) })) });
  } finally {
    await producer.close();
  }
}

type Failure = { errors?: Failure[]; apiId?: string; serverErrorMessage?: string | null };
/** The broker's errors inside the client's nested error (AggregateErrors of protocol errors). */
const protocolErrors = (e: Failure | void): { apiId: string; serverErrorMessage: string | null | undefined }[] =>
  e ? [...(e.apiId ? [{ apiId: e.apiId, serverErrorMessage: e.serverErrorMessage }] : []), ...(e.errors ?? []).flatMap(protocolErrors)] : [];

async function values(topic: string): Promise<Record<string, string | null | undefined>> {
  const [described] = await admin.describeConfigs({ resources: [{ resourceType: TOPIC, resourceName: topic }], includeSynonyms: true, includeDocumentation: true });
  return Object.fromEntries(described!.configs.map((c) => [c.name, c.value]));
}

describe("@platformatic/kafka admin", () => {
  test("describeConfigs, alterConfigs and incrementalAlterConfigs on a topic; a refused change names its config", async () => {
    await admin.createTopics({ topics: ["plt-configs"], partitions: 1, replicas: 1 });
    expect((await values("plt-configs"))["retention.ms"]).toBe("604800000");
    await admin.alterConfigs({ resources: [{ resourceType: TOPIC, resourceName: "plt-configs", configs: [{ name: "retention.ms", value: "3600000" }] }] });
    await admin.incrementalAlterConfigs({ resources: [{ resourceType: TOPIC, resourceName: "plt-configs", configs: [{ name: "segment.bytes", configOperation: 0, value: "1048576" }] }] });
    const now = await values("plt-configs");
    expect([now["retention.ms"], now["segment.bytes"]]).toEqual(["3600000", "1048576"]);
    const refused = await admin
      .incrementalAlterConfigs({ resources: [{ resourceType: TOPIC, resourceName: "plt-configs", configs: [{ name: "max.message.bytes", configOperation: 0, value: "big" }] }] })
      .catch((e: Failure) => e);
    expect(protocolErrors(refused)).toEqual([{ apiId: "INVALID_CONFIG", serverErrorMessage: 'Invalid value for max.message.bytes: must be an integer, got "big"' }]);
    expect((await values("plt-configs"))["max.message.bytes"]).toBe(String(100 * 1024 * 1024));
    const [brokerConfigs] = await admin.describeConfigs({ resources: [{ resourceType: 4, resourceName: "0" }] });
    expect(brokerConfigs!.configs.find((c) => c.name === "log.dirs")!.value).toBe(dir.path);
  });

  test("createPartitions, deleteRecords, describeLogDirs and deleteConsumerGroupOffsets", async () => {
    await admin.createTopics({ topics: ["plt-grow"], partitions: 1, replicas: 1 });
    await admin.createPartitions({ topics: [{ name: "plt-grow", count: 2 }] });
    await produce("plt-grow", 1, 8);
    const deleted = await admin.deleteRecords({ topics: [{ name: "plt-grow", partitions: [{ partition: 1, offset: 5n }] }] });
    expect(deleted).toEqual([{ name: "plt-grow", partitions: [{ partition: 1, lowWatermark: 5n }] }]);
    const earliest = await admin.listOffsets({ topics: [{ name: "plt-grow", partitions: [{ partitionIndex: 1, timestamp: -2n }] }] });
    expect(earliest[0]!.partitions[0]!.offset).toBe(5n);

    const dirs = await admin.describeLogDirs({ topics: [{ name: "plt-grow", partitions: [0, 1] }] });
    const sizes = dirs[0]!.results[0]!.topics[0]!.partitions.map((p) => [p.partitionIndex, p.partitionSize > 0n]);
    expect(sizes.sort()).toEqual([[0, false], [1, true]]);

    await admin.alterConsumerGroupOffsets({ groupId: "plt-od", topics: [{ name: "plt-grow", partitionOffsets: [{ partition: 0, offset: 0n }, { partition: 1, offset: 6n }] }] });
    await admin.deleteConsumerGroupOffsets({ groupId: "plt-od", topics: [{ name: "plt-grow", partitionIndexes: [0] }] });
    const left = await admin.listConsumerGroupOffsets({ groups: ["plt-od"] });
    expect(left[0]!.topics.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.committedOffset]))).toEqual([[1, 6n]]);
  });
});
