import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTopics } from "../../../src/kafka/broker/apis/create-topics.ts";
import { initProducerId } from "../../../src/kafka/broker/apis/init-producer-id.ts";
import { produce } from "../../../src/kafka/broker/apis/produce.ts";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";
import { ErrorCode } from "../../../src/kafka/broker/protocol/errors.ts";
import { freePort } from "../../support/ports.ts";
import { spawnBrokerProcess } from "./helpers/broker-process.ts";
import { kafkaFor } from "./helpers/kafkajs.ts";
import { buildBatch } from "./helpers/record-batch.ts";
import { RawClient } from "./helpers/raw-client.ts";
import { startKafkaProxy } from "./helpers/kafka-proxy.ts";
import { storedBatches } from "./helpers/stored-batches.ts";
import { tempDir } from "./helpers/temp-dir.ts";

const dirs: { remove(): void }[] = [];
afterAll(() => {
  for (const d of dirs) d.remove();
});

const portOf = (address: string) => Number(address.split(":")[1]);
const values = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ key: null, value: new TextEncoder().encode(`${prefix}-${i}`) }));

async function newProducer(c: RawClient): Promise<number> {
  const r = await c.request(initProducerId, 1, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  expect(r.errorCode).toBe(0);
  return r.producerId;
}

/** Produces one batch with the given producer fields, acks=-1, and returns (errorCode, baseOffset). */
async function send(c: RawClient, topic: string, producer: { id: number; epoch: number; sequence: number }, records = 1) {
  const r = await c.request(produce, 7, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: buildBatch(values(records, `s${producer.sequence}`), { producer }) }] }],
  });
  const p = r.responses[0]!.partitionResponses[0]!;
  return { errorCode: p.errorCode, baseOffset: p.baseOffset };
}

async function createTopic(c: RawClient, name: string) {
  const r = await c.request(createTopics, 2, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  expect(r.topics[0]!.errorCode).toBe(0);
}

describe("idempotent producers", () => {
  test("a replayed batch is acknowledged with its first offset and stored once; gaps and stale epochs are refused", async () => {
    const broker = await startBroker({ port: 0, log: silentLog });
    const c = await RawClient.connect(broker.port);
    try {
      await createTopic(c, "idem");
      const id = await newProducer(c);
      expect(await send(c, "idem", { id, epoch: 0, sequence: 0 }, 2)).toEqual({ errorCode: 0, baseOffset: 0 });
      expect(await send(c, "idem", { id, epoch: 0, sequence: 0 }, 2)).toEqual({ errorCode: 0, baseOffset: 0 });
      expect(await send(c, "idem", { id, epoch: 0, sequence: 2 }, 3)).toEqual({ errorCode: 0, baseOffset: 2 });
      // An older batch of the last five is still recognised.
      expect(await send(c, "idem", { id, epoch: 0, sequence: 0 }, 2)).toEqual({ errorCode: 0, baseOffset: 0 });
      expect((await send(c, "idem", { id, epoch: 0, sequence: 9 })).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      expect((await send(c, "idem", { id, epoch: 1, sequence: 5 })).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      expect(await send(c, "idem", { id, epoch: 1, sequence: 0 })).toEqual({ errorCode: 0, baseOffset: 5 });
      expect((await send(c, "idem", { id, epoch: 0, sequence: 5 })).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
      // Another producer's sequences are its own.
      const other = await newProducer(c);
      expect(other).not.toBe(id);
      expect(await send(c, "idem", { id: other, epoch: 0, sequence: 0 })).toEqual({ errorCode: 0, baseOffset: 6 });
      expect((await storedBatches(broker.port, "idem")).map((b) => b.records)).toEqual([2, 3, 1, 1]);
    } finally {
      c.close();
      await broker.close();
    }
  });

  test("the state survives a clean restart and a kill -9, and producer ids are never handed out twice", async () => {
    const dir = tempDir("idempotent");
    dirs.push(dir);
    // A clean stop writes the snapshot.
    let broker = await startBroker({ port: 0, log: silentLog, dataDir: dir.path });
    let c = await RawClient.connect(broker.port);
    await createTopic(c, "kept");
    const id = await newProducer(c);
    expect((await send(c, "kept", { id, epoch: 0, sequence: 0 }, 2)).baseOffset).toBe(0);
    c.close();
    await broker.close();
    broker = await startBroker({ port: 0, log: silentLog, dataDir: dir.path });
    c = await RawClient.connect(broker.port);
    expect(await send(c, "kept", { id, epoch: 0, sequence: 0 }, 2)).toEqual({ errorCode: 0, baseOffset: 0 });
    expect(await newProducer(c)).toBeGreaterThan(id);
    c.close();
    await broker.close();

    // kill -9 right after an acknowledged batch: the state comes back from the log itself.
    const child = await spawnBrokerProcess(["--data-dir", dir.path]);
    c = await RawClient.connect(portOf(child.address));
    const second = await newProducer(c);
    expect((await send(c, "kept", { id: second, epoch: 0, sequence: 0 }, 3)).baseOffset).toBe(2);
    c.close();
    child.proc.kill("SIGKILL");
    await child.proc.exited;
    const again = await spawnBrokerProcess(["--data-dir", dir.path]);
    try {
      c = await RawClient.connect(portOf(again.address));
      expect(await send(c, "kept", { id: second, epoch: 0, sequence: 0 }, 3)).toEqual({ errorCode: 0, baseOffset: 2 });
      expect(await send(c, "kept", { id, epoch: 0, sequence: 0 }, 2)).toEqual({ errorCode: 0, baseOffset: 0 });
      expect(await send(c, "kept", { id: second, epoch: 0, sequence: 3 })).toEqual({ errorCode: 0, baseOffset: 5 });
      expect(await newProducer(c)).toBeGreaterThan(second);
      expect((await storedBatches(portOf(again.address), "kept")).map((b) => b.records)).toEqual([2, 3, 1]);
      c.close();
    } finally {
      again.proc.kill("SIGKILL");
      await again.proc.exited;
    }
  });

  test("a clean stop leaves a snapshot even of a partition without idempotent producers, so a start replays nothing", async () => {
    const dir = tempDir("idempotent-plain");
    dirs.push(dir);
    let broker = await startBroker({ port: 0, log: silentLog, dataDir: dir.path });
    let c = await RawClient.connect(broker.port);
    await createTopic(c, "plain");
    expect((await send(c, "plain", { id: -1, epoch: -1, sequence: -1 }, 3)).errorCode).toBe(0);
    c.close();
    await broker.close();
    const snapshot = JSON.parse(readFileSync(join(dir.path, "topics", "plain", "0", "producer-state.json"), "utf8"));
    expect(snapshot).toEqual({ offset: 3, producers: [] });
    broker = await startBroker({ port: 0, log: silentLog, dataDir: dir.path });
    c = await RawClient.connect(broker.port);
    expect(await send(c, "plain", { id: -1, epoch: -1, sequence: -1 })).toEqual({ errorCode: 0, baseOffset: 3 });
    c.close();
    await broker.close();
  });

  test("kafkajs with idempotent: true retries a produce whose response was lost and the log holds one copy", async () => {
    const brokerPort = await freePort();
    const proxy = await startKafkaProxy({ host: "127.0.0.1", port: brokerPort }, { dropResponses: { apiKey: 0, count: 1 } });
    const broker: Broker = await startBroker({ port: brokerPort, advertisedPort: proxy.port, log: silentLog });
    const kafka = kafkaFor(`127.0.0.1:${proxy.port}`);
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: "retried", numPartitions: 1 }] });
      await producer.connect();
      const [sent] = await producer.send({ topic: "retried", acks: -1, messages: [{ value: "one" }, { value: "two" }] });
      expect(proxy.dropped()).toBe(1);
      expect(sent!.baseOffset).toBe("0");
      await producer.send({ topic: "retried", acks: -1, messages: [{ value: "three" }] });
      expect((await storedBatches(brokerPort, "retried")).map((b) => b.records)).toEqual([2, 1]);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
      await broker.close();
      await proxy.close();
    }
  });
});
