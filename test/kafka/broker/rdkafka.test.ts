import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";
import { freePort } from "../../support/ports.ts";
import { startKafkaProxy } from "./helpers/kafka-proxy.ts";
import { kafkaFor } from "./helpers/kafkajs.ts";
import { run } from "./helpers/process.ts";
import { storedBatches } from "./helpers/stored-batches.ts";
import { tempDir } from "./helpers/temp-dir.ts";

// node-rdkafka is a native addon built for Node; the script runs under `node`, the broker in this process.
const SCRIPT = `${import.meta.dir}/clients/rdkafka-client.cjs`;
const rd = (...args: string[]) => run(["node", SCRIPT, ...args], { timeoutMs: 40_000 });

const dir = tempDir("rdkafka");
let broker: Broker;
beforeAll(async () => {
  broker = await startBroker({ port: 0, log: silentLog, dataDir: dir.path, groupInitialRebalanceDelayMs: 20 });
});
afterAll(async () => {
  await broker.close();
  dir.remove();
});

const lines = (s: string) => s.split("\n").filter(Boolean).map((l) => JSON.parse(l));

async function offsets(topic: string) {
  const admin = kafkaFor(broker.address).admin();
  await admin.connect();
  const r = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  return r.map((o) => [o.partition, Number(o.low), Number(o.high)]).sort((a, b) => a[0]! - b[0]!);
}

describe("node-rdkafka (librdkafka 2.12) under Node", () => {
  test("admin CreateTopics and CreatePartitions; the new partitions take produce and are consumed in a group", async () => {
    const created = await rd("create-topic", broker.address, "rd-grown", "1");
    expect(created.stderr).toBe("");
    expect(lines(created.stdout)).toEqual([{ ok: true }]);
    const grown = await rd("create-partitions", broker.address, "rd-grown", "4");
    expect(grown.stderr).toBe("");
    expect(lines(grown.stdout)).toEqual([{ ok: true }]);
    const refused = await rd("create-partitions", broker.address, "rd-grown", "2");
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/partitions/i);

    const p = await rd("produce", broker.address, "rd-grown", "200");
    expect(lines(p.stdout)).toEqual([{ delivered: 200 }]);
    const spread = await offsets("rd-grown");
    expect(spread.map(([partition]) => partition)).toEqual([0, 1, 2, 3]);
    expect(spread.reduce((n, [, , high]) => n + high!, 0)).toBe(200);
    expect(spread.filter(([, , high]) => high! > 0).length).toBeGreaterThan(1); // keys hash over the new partitions

    const c = await rd("consume", broker.address, "rd-grown", "rd-readers", "200");
    expect(c.exitCode).toBe(0);
    const got = lines(c.stdout);
    expect(new Set(got.map((m) => m.value)).size).toBe(200);
    expect(new Set(got.map((m) => m.partition)).size).toBe(spread.filter(([, , high]) => high! > 0).length);
  }, 90_000);

  test("an idempotent producer (enable.idempotence) gets a producer id and every message lands once, in order", async () => {
    const created = await rd("create-topic", broker.address, "rd-idempotent", "1");
    expect(lines(created.stdout)).toEqual([{ ok: true }]);
    const p = await rd("produce", broker.address, "rd-idempotent", "100", "idempotent");
    expect(p.stderr).toBe("");
    expect(lines(p.stdout)).toEqual([{ delivered: 100 }]);
    expect(await offsets("rd-idempotent")).toEqual([[0, 0, 100]]);
    const c = await rd("consume", broker.address, "rd-idempotent", "rd-idem-readers", "100");
    expect(lines(c.stdout).map((m) => m.value)).toEqual(Array.from({ length: 100 }, (_, i) => `v${i}`));
  }, 90_000);

  test("a produce whose response is lost with the connection is retried by the idempotent producer and stored once", async () => {
    const brokerPort = await freePort();
    const proxy = await startKafkaProxy({ host: "127.0.0.1", port: brokerPort }, { dropResponses: { apiKey: 0, count: 1 } });
    const behind = await startBroker({ port: brokerPort, advertisedPort: proxy.port, log: silentLog });
    try {
      const address = `127.0.0.1:${proxy.port}`;
      expect(lines((await rd("create-topic", address, "rd-retried", "1")).stdout)).toEqual([{ ok: true }]);
      const p = await rd("produce", address, "rd-retried", "50", "idempotent");
      expect(p.stderr).toBe("");
      expect(lines(p.stdout)).toEqual([{ delivered: 50 }]);
      expect(proxy.dropped()).toBe(1);
      const stored = await storedBatches(brokerPort, "rd-retried");
      expect(stored.reduce((n, b) => n + b.records, 0)).toBe(50);
    } finally {
      await behind.close();
      await proxy.close();
    }
  }, 90_000);
});
