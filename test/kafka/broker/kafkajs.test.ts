import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CompressionTypes } from "kafkajs";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";
import { kafkaFor, partitionsOf, recordingConsumer } from "./helpers/kafkajs.ts";
import { eventually } from "./helpers/eventually.ts";
import { storedBatches } from "./helpers/stored-batches.ts";
import { tempDir } from "./helpers/temp-dir.ts";

let broker: Broker;
beforeAll(async () => {
  broker = await startBroker({ port: 0, log: silentLog, groupInitialRebalanceDelayMs: 20 });
});
afterAll(async () => {
  await broker.close();
});

const binary = (i: number) => Buffer.from([0, 255, i & 0xff, 10, 13, 0x80, i >> 8]);

describe("kafkajs", () => {
  for (const compression of [CompressionTypes.None, CompressionTypes.GZIP]) {
    test(`produces and consumes byte-exact keys, values and headers (${compression === CompressionTypes.GZIP ? "gzip" : "uncompressed"})`, async () => {
      const kafka = kafkaFor(broker.address);
      const topic = `exact-${compression}`;
      const producer = kafka.producer();
      await producer.connect();
      const messages = Array.from({ length: 30 }, (_, i) => ({
        key: i % 5 === 0 ? null : binary(i + 1000),
        value: i % 7 === 0 ? Buffer.alloc(0) : binary(i),
        headers: { bin: binary(i + 7), text: `héader-${i}` },
      }));
      await producer.send({ topic, compression, messages: messages.slice(0, 10), acks: -1 });
      await producer.send({ topic, compression, messages: messages.slice(10), acks: 1 });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: `exact-${compression}`, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const got: { key: Buffer | null; value: Buffer | null; headers: Record<string, unknown>; offset: string }[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void got.push(message as never) });
      await eventually(() => (got.length >= 30 ? true : undefined), 20_000, "30 messages");
      await consumer.disconnect();
      expect(got.map((m) => m.offset)).toEqual(messages.map((_, i) => String(i)));
      got.forEach((m, i) => {
        expect(m.key === null ? null : [...m.key]).toEqual(messages[i]!.key === null ? null : [...messages[i]!.key!]);
        expect([...m.value!]).toEqual([...messages[i]!.value]);
        expect([...(m.headers.bin as Buffer)]).toEqual([...messages[i]!.headers.bin]);
        expect((m.headers.text as Buffer).toString()).toBe(messages[i]!.headers.text);
      });
      // What is stored is what was sent: two batches, with kafkajs's codec in their attributes.
      const stored = await storedBatches(broker.port, topic);
      expect(stored.map((b) => [b.codec, b.records, b.crcOk])).toEqual([[compression, 10, true], [compression, 20, true]]);
    }, 30_000);
  }

  test("two members split a topic's partitions; when one leaves the other takes all with nothing skipped", async () => {
    const kafka = kafkaFor(broker.address);
    const topic = "split-leave";
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
    await admin.disconnect();
    const a = await recordingConsumer(kafka, "split-leave", topic);
    const b = await recordingConsumer(kafka, "split-leave", topic);
    await eventually(() => (partitionsOf(a.assigned, topic).length + partitionsOf(b.assigned, topic).length === 4 && partitionsOf(a.assigned, topic).length > 0 && partitionsOf(b.assigned, topic).length > 0 ? true : undefined), 20_000, "a 2-way split");
    expect([...partitionsOf(a.assigned, topic), ...partitionsOf(b.assigned, topic)].sort()).toEqual([0, 1, 2, 3]);
    const producer = kafka.producer();
    await producer.connect();
    const send = (from: number) => producer.send({ topic, messages: Array.from({ length: 100 }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}` })) });
    await send(0);
    await eventually(() => (new Set([...a.values, ...b.values]).size === 100 ? true : undefined), 20_000, "first 100");
    await a.consumer.disconnect();
    await eventually(() => (partitionsOf(b.assigned, topic).length === 4 ? true : undefined), 20_000, "b owning all partitions");
    await send(100);
    await eventually(() => (new Set([...a.values, ...b.values]).size === 200 ? true : undefined), 20_000, "all 200");
    expect(b.values.filter((v) => Number(v.slice(1)) >= 100).length).toBeGreaterThanOrEqual(100);
    await producer.disconnect();
    await b.consumer.disconnect();
  }, 60_000);

  test("when a member is killed its partitions move to the survivor after the session times out", async () => {
    const kafka = kafkaFor(broker.address);
    const topic = "split-kill";
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
    await admin.disconnect();
    const survivor = await recordingConsumer(kafka, "split-kill", topic);
    const child = Bun.spawn([process.execPath, `${import.meta.dir}/clients/kafkajs-member.ts`, broker.address, topic, "split-kill"], { stdout: "pipe", stderr: "ignore" });
    let out = "";
    void (async () => {
      for await (const chunk of child.stdout) out += new TextDecoder().decode(chunk);
    })();
    try {
      await eventually(() => (out.includes("assigned") && partitionsOf(survivor.assigned, topic).length === 2 ? true : undefined), 30_000, "split with the child");
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
      const childValues = () => out.split("\n").filter((l) => l.startsWith("msg ")).map((l) => l.split(" ")[3]!);
      await eventually(() => (new Set([...survivor.values, ...childValues()]).size === 100 ? true : undefined), 20_000, "first 100");
      child.kill("SIGKILL");
      await child.exited;
      await producer.send({ topic, messages: Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: `v${100 + i}` })) });
      await eventually(() => (partitionsOf(survivor.assigned, topic).length === 4 ? true : undefined), 30_000, "survivor owning all partitions");
      await eventually(() => (new Set([...survivor.values, ...childValues()]).size === 200 ? true : undefined), 20_000, "all 200");
      await producer.disconnect();
    } finally {
      child.kill("SIGKILL");
      await survivor.consumer.disconnect();
    }
  }, 60_000);

  test("committed offsets are resumed after a restart of a file-backed broker", async () => {
    const dir = tempDir("kafkajs-restart");
    let durable = await startBroker({ port: 0, dataDir: dir.path, log: silentLog, groupInitialRebalanceDelayMs: 20 });
    try {
      const topic = "resume";
      let kafka = kafkaFor(durable.address);
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` })) });
      await producer.disconnect();
      const first = await recordingConsumer(kafka, "resume", topic);
      await eventually(() => (first.values.length === 10 ? true : undefined), 20_000, "10 messages");
      await first.consumer.disconnect(); // commits on the way out
      await durable.close();
      durable = await startBroker({ port: 0, dataDir: dir.path, log: silentLog, groupInitialRebalanceDelayMs: 20 });
      kafka = kafkaFor(durable.address);
      const p2 = kafka.producer();
      await p2.connect();
      await p2.send({ topic, acks: -1, messages: Array.from({ length: 5 }, (_, i) => ({ value: `n${i}` })) });
      await p2.disconnect();
      const second = await recordingConsumer(kafka, "resume", topic);
      await eventually(() => (second.values.length >= 5 ? true : undefined), 20_000, "5 new messages");
      await Bun.sleep(300);
      expect(second.values).toEqual(["n0", "n1", "n2", "n3", "n4"]);
      await second.consumer.disconnect();
    } finally {
      await durable.close();
      dir.remove();
    }
  }, 60_000);

  test("admin: create, list and delete topics; describe, list and delete groups", async () => {
    const kafka = kafkaFor(broker.address);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "admin-a", numPartitions: 3 }] });
    expect(await admin.createTopics({ topics: [{ topic: "admin-a" }] })).toBe(false);
    const md = await admin.fetchTopicMetadata({ topics: ["admin-a"] });
    expect(md.topics[0]!.partitions.length).toBe(3);
    // kafkajs joins the group and waits one fetch wait (5 s) before it commits.
    await admin.setOffsets({ groupId: "admin-g", topic: "admin-a", partitions: [{ partition: 1, offset: "0" }] });
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain("admin-g");
    const described = await admin.describeGroups(["admin-g"]);
    expect(described.groups[0]!.state).toBe("Empty");
    await admin.deleteGroups(["admin-g"]);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain("admin-g");
    await admin.deleteTopics({ topics: ["admin-a"] });
    expect(await admin.listTopics()).not.toContain("admin-a");
    await admin.disconnect();
  }, 30_000);
});
