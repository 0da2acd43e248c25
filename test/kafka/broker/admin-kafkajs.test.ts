import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { ConfigResourceTypes, type Admin } from "kafkajs";
import { topicConfigs } from "../../../src/events/topics.ts";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";
import { eventually } from "./helpers/eventually.ts";
import { kafkaFor } from "./helpers/kafkajs.ts";
import { tempDir } from "./helpers/temp-dir.ts";

const dirs: ReturnType<typeof tempDir>[] = [];
let broker: Broker | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});
afterAll(() => {
  for (const d of dirs) d.remove();
});

async function withAdmin<T>(b: Broker, body: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkaFor(b.address).admin();
  await admin.connect();
  try {
    return await body(admin);
  } finally {
    await admin.disconnect();
  }
}

const dataDir = () => {
  const d = tempDir("admin-kafkajs");
  dirs.push(d);
  return d.path;
};

type Entry = { configName: string; configValue: string; isDefault: boolean; configSource: number; readOnly: boolean; configSynonyms: { configName: string; configValue: string; configSource: number }[] };

async function describedConfigs(admin: Admin, topic: string): Promise<Map<string, Entry>> {
  const r = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
  expect(r.resources[0]!.errorCode).toBe(0);
  return new Map((r.resources[0]!.configEntries as Entry[]).map((e) => [e.configName, e]));
}

async function produceValues(b: Broker, topic: string, values: string[], partition = 0): Promise<void> {
  const producer = kafkaFor(b.address).producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value, partition })) });
  await producer.disconnect();
}

async function consumeAll(b: Broker, topic: string, groupId: string, count: number): Promise<{ partition: number; offset: string; value: string }[]> {
  const consumer = kafkaFor(b.address).consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 6000, heartbeatInterval: 500 });
  const got: { partition: number; offset: string; value: string }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition, message }) => void got.push({ partition, offset: message.offset, value: message.value!.toString() }) });
  await eventually(() => (got.length >= count ? true : undefined), 20_000, `${count} messages`);
  await consumer.disconnect();
  return got;
}

describe("kafkajs admin against the embedded broker", () => {
  test("DescribeConfigs: a topic's overrides win over the broker's static config and its defaults, with synonyms in precedence order", async () => {
    broker = await startBroker({ port: 0, log: silentLog, retention: { ms: 3_600_000 } });
    await withAdmin(broker, async (admin) => {
      await admin.createTopics({ topics: [{ topic: "described", numPartitions: 2, configEntries: [{ name: "retention.bytes", value: "1048576" }] }] });
      const configs = await describedConfigs(admin, "described");
      const bytes = configs.get("retention.bytes")!;
      expect([bytes.configValue, bytes.configSource, bytes.isDefault, bytes.readOnly]).toEqual(["1048576", 1, false, false]);
      expect(bytes.configSynonyms.map((s) => [s.configName, s.configValue, s.configSource])).toEqual([
        ["retention.bytes", "1048576", 1],
        ["log.retention.bytes", String(1024 ** 3), 5],
      ]);
      const ms = configs.get("retention.ms")!;
      expect([ms.configValue, ms.configSource]).toEqual(["3600000", 4]);
      expect(ms.configSynonyms.map((s) => s.configSource)).toEqual([4, 5]);
      expect(configs.get("cleanup.policy")!.configValue).toBe("delete");

      const brokerConfigs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: "0" }] });
      const entries = new Map((brokerConfigs.resources[0]!.configEntries as Entry[]).map((e) => [e.configName, e]));
      expect(entries.get("log.retention.ms")).toMatchObject({ configValue: "3600000", readOnly: true, configSource: 4 });
      expect(entries.get("broker.id")).toMatchObject({ configValue: "0", readOnly: true, configSource: 5 });
      expect(entries.get("listeners")!.configValue).toBe(`PLAINTEXT://127.0.0.1:${broker!.port}`);

      const missing = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "no-such-topic" }] }).catch((e: Error) => e);
      expect(missing).toMatchObject({ type: "UNKNOWN_TOPIC_OR_PARTITION" });
    });
  });

  test("every config Loyaltea creates its own topics with is accepted and reported back", async () => {
    broker = await startBroker({ port: 0, log: silentLog });
    await withAdmin(broker, async (admin) => {
      const entries = Object.entries(topicConfigs);
      expect(entries.length).toBeGreaterThan(0);
      await admin.createTopics({ topics: entries.map(([topic, configEntries]) => ({ topic, configEntries: [...configEntries] })) });
      for (const [topic, configEntries] of entries) {
        const configs = await describedConfigs(admin, topic);
        for (const { name, value } of configEntries) expect(configs.get(name)).toMatchObject({ configValue: value, configSource: 1 });
      }
    });
  });

  test("CreateTopics refuses unknown configs and values this broker cannot honour", async () => {
    broker = await startBroker({ port: 0, log: silentLog });
    await withAdmin(broker, async (admin) => {
      for (const [name, value] of [
        ["retention.msec", "1"],
        ["retention.ms", "soon"],
        ["min.insync.replicas", "2"],
        ["cleanup.policy", "shred"],
      ] as const) {
        const err = await admin.createTopics({ topics: [{ topic: `bad-${name.replaceAll(".", "-")}`, configEntries: [{ name, value }] }] }).catch((e: Error) => e);
        expect(err).toMatchObject({ errors: [{ type: "INVALID_CONFIG" }] });
      }
      expect(await admin.listTopics()).toEqual([]);
    });
  });

  test("AlterConfigs replaces a topic's overrides, is honoured by Produce at once and survives a restart", async () => {
    const dir = dataDir();
    broker = await startBroker({ port: 0, log: silentLog, dataDir: dir });
    await withAdmin(broker, async (admin) => {
      await admin.createTopics({ topics: [{ topic: "altered", configEntries: [{ name: "cleanup.policy", value: "compact" }] }] });
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: "altered", configEntries: [{ name: "max.message.bytes", value: "2000" }, { name: "retention.ms", value: "86400000" }] }],
      });
      const configs = await describedConfigs(admin, "altered");
      expect(configs.get("max.message.bytes")!.configValue).toBe("2000");
      // AlterConfigs is not incremental: the compact policy not restated is back to its default.
      expect(configs.get("cleanup.policy")).toMatchObject({ configValue: "delete", configSource: 5 });
      const refused = await admin
        .alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "altered", configEntries: [{ name: "segment.bytes", value: "-5" }] }] })
        .catch((e: Error) => e);
      expect(refused).toMatchObject({ type: "INVALID_CONFIG" });
      expect((await describedConfigs(admin, "altered")).get("max.message.bytes")!.configValue).toBe("2000");
      const brokerRefused = await admin
        .alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: "0", configEntries: [{ name: "log.retention.ms", value: "1" }] }] })
        .catch((e: Error) => e);
      expect(brokerRefused).toMatchObject({ type: "INVALID_REQUEST" });
    });
    await produceValues(broker, "altered", ["small"]);
    const tooBig = await produceValues(broker, "altered", ["x".repeat(5000)]).catch((e: Error) => e);
    expect(tooBig).toMatchObject({ type: "MESSAGE_TOO_LARGE" });
    await broker.close();

    broker = await startBroker({ port: 0, log: silentLog, dataDir: dir });
    await withAdmin(broker, async (admin) => {
      const configs = await describedConfigs(admin, "altered");
      expect(configs.get("max.message.bytes")).toMatchObject({ configValue: "2000", configSource: 1 });
      expect(configs.get("retention.ms")!.configValue).toBe("86400000");
    });
    expect(await produceValues(broker, "altered", ["x".repeat(5000)]).catch((e: Error) => e)).toMatchObject({ type: "MESSAGE_TOO_LARGE" });
  }, 30_000);

  test("retention set on one topic deletes its old segments while a compacted topic keeps everything", async () => {
    broker = await startBroker({ port: 0, log: silentLog, dataDir: dataDir(), retention: { checkIntervalMs: 50 } });
    await withAdmin(broker, async (admin) => {
      const small = [{ name: "segment.bytes", value: "1024" }, { name: "retention.bytes", value: "2048" }];
      await admin.createTopics({ topics: [{ topic: "trimmed", configEntries: small }, { topic: "kept", configEntries: [...small, { name: "cleanup.policy", value: "compact" }] }] });
    });
    for (let i = 0; i < 40; i++) {
      await produceValues(broker, "trimmed", [`value-${i}-${"x".repeat(200)}`]);
      await produceValues(broker, "kept", [`value-${i}-${"x".repeat(200)}`]);
    }
    await withAdmin(broker, async (admin) => {
      await eventually(async () => ((await admin.fetchTopicOffsets("trimmed"))[0]!.low !== "0" ? true : undefined), 5_000, "retention of trimmed");
      const trimmed = (await admin.fetchTopicOffsets("trimmed"))[0]!;
      expect(Number(trimmed.low)).toBeGreaterThan(20);
      expect(trimmed.high).toBe("40");
      expect((await admin.fetchTopicOffsets("kept"))[0]).toMatchObject({ low: "0", high: "40" });
    });
  }, 30_000);

  test("CreatePartitions: new partitions appear in Metadata, accept produce, are consumed, and survive a restart", async () => {
    const dir = dataDir();
    broker = await startBroker({ port: 0, log: silentLog, dataDir: dir, groupInitialRebalanceDelayMs: 20 });
    await withAdmin(broker, async (admin) => {
      await admin.createTopics({ topics: [{ topic: "grown", numPartitions: 1 }] });
      await admin.createPartitions({ topicPartitions: [{ topic: "grown", count: 3 }] });
      const meta = await admin.fetchTopicMetadata({ topics: ["grown"] });
      expect(meta.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
      const shrink = await admin.createPartitions({ topicPartitions: [{ topic: "grown", count: 2 }] }).catch((e: Error) => e);
      expect(shrink).toMatchObject({ type: "INVALID_PARTITIONS" });
      const unknown = await admin.createPartitions({ topicPartitions: [{ topic: "nothing-here", count: 2 }] }).catch((e: Error) => e);
      expect(unknown).toMatchObject({ type: "UNKNOWN_TOPIC_OR_PARTITION" });
    });
    await produceValues(broker, "grown", ["on-2"], 2);
    await produceValues(broker, "grown", ["on-0"], 0);
    const got = await consumeAll(broker, "grown", "grown-readers", 2);
    expect(got.map((m) => [m.partition, m.value]).sort()).toEqual([[0, "on-0"], [2, "on-2"]]);
    await broker.close();

    broker = await startBroker({ port: 0, log: silentLog, dataDir: dir });
    await withAdmin(broker, async (admin) => {
      const offsets = await admin.fetchTopicOffsets("grown");
      expect(offsets.map((o) => [o.partition, o.high]).sort()).toEqual([[0, "1"], [1, "0"], [2, "1"]]);
    });
  }, 40_000);

  test("DeleteRecords moves the log start offset: ListOffsets and consumers start there, and it survives a restart", async () => {
    const dir = dataDir();
    broker = await startBroker({ port: 0, log: silentLog, dataDir: dir, groupInitialRebalanceDelayMs: 20 });
    await withAdmin(broker, (admin) => admin.createTopics({ topics: [{ topic: "pruned" }, { topic: "compacted", configEntries: [{ name: "cleanup.policy", value: "compact" }] }] }));
    await produceValues(broker, "pruned", Array.from({ length: 10 }, (_, i) => `v${i}`));
    await produceValues(broker, "pruned", Array.from({ length: 10 }, (_, i) => `v${10 + i}`));
    await withAdmin(broker, async (admin) => {
      await admin.fetchTopicMetadata({ topics: ["compacted"] });
      const compacted = await admin.deleteTopicRecords({ topic: "compacted", partitions: [{ partition: 0, offset: "-1" }] }).catch((e: Error) => e);
      expect(compacted).toMatchObject({ cause: { partitions: [{ error: { type: "POLICY_VIOLATION" } }] } });
      await admin.fetchTopicMetadata({ topics: ["pruned"] });
      await admin.deleteTopicRecords({ topic: "pruned", partitions: [{ partition: 0, offset: "13" }] });
      expect((await admin.fetchTopicOffsets("pruned"))[0]).toMatchObject({ low: "13", high: "20" });
      const beyond = await admin.deleteTopicRecords({ topic: "pruned", partitions: [{ partition: 0, offset: "99" }] }).catch((e: Error) => e);
      expect(beyond).toMatchObject({ cause: { partitions: [{ error: { type: "OFFSET_OUT_OF_RANGE" } }] } });
    });
    const got = await consumeAll(broker, "pruned", "after-delete", 7);
    expect(got.map((m) => m.value)).toEqual(["v13", "v14", "v15", "v16", "v17", "v18", "v19"]);
    await broker.close();

    broker = await startBroker({ port: 0, log: silentLog, dataDir: dir, groupInitialRebalanceDelayMs: 20 });
    await withAdmin(broker, async (admin) => {
      await admin.fetchTopicMetadata({ topics: ["pruned"] });
      expect((await admin.fetchTopicOffsets("pruned"))[0]).toMatchObject({ low: "13", high: "20" });
      await admin.deleteTopicRecords({ topic: "pruned", partitions: [{ partition: 0, offset: "-1" }] });
      expect((await admin.fetchTopicOffsets("pruned"))[0]).toMatchObject({ low: "20", high: "20" });
    });
    await produceValues(broker, "pruned", ["after"]);
    const fresh = await consumeAll(broker, "pruned", "after-restart", 1);
    expect(fresh.map((m) => [m.offset, m.value])).toEqual([["20", "after"]]);
  }, 40_000);
});
