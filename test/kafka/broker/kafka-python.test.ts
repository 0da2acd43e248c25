import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";
import { kafkaFor } from "./helpers/kafkajs.ts";
import { run, start, type Running } from "./helpers/process.ts";
import { eventually } from "./helpers/eventually.ts";
import { CODECS, storedBatches } from "./helpers/stored-batches.ts";
import { tempDir } from "./helpers/temp-dir.ts";

// Debian's python3-kafka is installed for the system interpreter, which a pyenv shim on PATH may hide.
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const SCRIPT = `${import.meta.dir}/clients/kafka_python_client.py`;
const py = (...args: string[]) => [PYTHON, SCRIPT, ...args];

let broker: Broker;
const children: Running[] = [];
beforeAll(async () => {
  broker = await startBroker({ port: 0, log: silentLog, groupInitialRebalanceDelayMs: 20 });
});
afterAll(async () => {
  for (const c of children) c.proc.kill("SIGKILL");
  await broker.close();
});

/** The records the Python script produces, as hex, computed independently here. */
function expected(i: number) {
  const key = i % 5 === 0 ? null : Buffer.from([0, 255, i % 256, 10, 13, 0x80]).toString("hex");
  const value = Buffer.concat(Array.from({ length: i % 9 }, () => Buffer.from([i % 256, 0, 1, 2]))).toString("hex");
  const headers = [["bin", Buffer.from([0xff, i % 256, 0]).toString("hex")], ["text", Buffer.from(`hé-${i}`).toString("hex")]];
  return { key, value, headers };
}

const lines = (s: string) => s.split("\n").filter(Boolean).map((l) => JSON.parse(l));

describe("kafka-python", () => {
  for (const compression of ["none", "gzip"]) {
    test(`produces and consumes byte-exact keys, values and headers (${compression})`, async () => {
      const topic = `py-${compression}`;
      const p = await run(py("produce", broker.address, topic, compression, "25"));
      expect(p.stderr).toBe("");
      expect(p.exitCode).toBe(0);
      const c = await run(py("consume", broker.address, topic, `py-${compression}`, "25"));
      expect(c.exitCode).toBe(0);
      const got = lines(c.stdout);
      expect(got.map((m) => m.offset)).toEqual(Array.from({ length: 25 }, (_, i) => i));
      got.forEach((m, i) => expect({ key: m.key, value: m.value, headers: m.headers }).toEqual(expected(i)));
      // Stored as sent: record batches with kafka-python's codec in their attributes (it leaves a batch
      // uncompressed when compression would not shrink it, so a lone record may go plain).
      const stored = await storedBatches(broker.port, topic);
      expect(stored.every((b) => b.crcOk && (b.codec === 0 || b.codec === CODECS[compression]))).toBe(true);
      expect(stored.some((b) => b.codec === CODECS[compression])).toBe(true);
      // kafkajs reads the same bytes.
      const consumer = kafkaFor(broker.address).consumer({ groupId: `py-check-${compression}`, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const seen: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString("hex")) });
      await eventually(() => (seen.length === 25 ? true : undefined), 20_000, "kafkajs reading kafka-python's messages");
      await consumer.disconnect();
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => expected(i).value));
    }, 60_000);
  }

  test("infers a broker of at least 2.3 from the advertised ranges and produces record batches (magic 2)", async () => {
    const v = await run(py("version", broker.address));
    expect(v.exitCode).toBe(0);
    const { api_version, magic } = lines(v.stdout)[0];
    expect(api_version[0] * 100 + api_version[1]).toBeGreaterThanOrEqual(203);
    expect(magic).toBe(2);
  }, 30_000);

  // Forced old api_versions make kafka-python send the legacy formats the broker converts on the way in.
  for (const [api, produceVersion, magic, compression] of [["0.8.2", 0, 0, "none"], ["0.9", 1, 0, "gzip"], ["0.10.1", 2, 1, "none"], ["0.10.1", 2, 1, "gzip"]] as const) {
    test(`as an old client (api_version ${api}: Produce v${produceVersion}, magic ${magic}, ${compression}) its records read back exact`, async () => {
      const topic = `py-legacy-${produceVersion}-${compression}`;
      const before = Date.now();
      const p = await run(py("produce-legacy", broker.address, topic, compression, "25", api));
      const after = Date.now();
      expect(p.stderr).toBe("");
      expect(p.exitCode).toBe(0);
      const c = await run(py("consume", broker.address, topic, "-", "25"));
      const got = lines(c.stdout);
      expect(got.map((m) => m.offset)).toEqual(Array.from({ length: 25 }, (_, i) => i));
      got.forEach((m, i) => {
        expect({ key: m.key, value: m.value, headers: m.headers }).toEqual({ ...expected(i), headers: [] });
        if (magic === 1) expect(m.timestamp).toBe(1_700_000_000_000 + i);
        else expect(m.timestamp >= before && m.timestamp <= after).toBe(true);
      });
    }, 60_000);
  }

  test("consumes messages produced by kafkajs without a group", async () => {
    const producer = kafkaFor(broker.address).producer();
    await producer.connect();
    await producer.send({ topic: "py-from-js", messages: [{ key: "a", value: Buffer.from([1, 2, 3]), headers: { h: "x" } }] });
    await producer.disconnect();
    const c = await run(py("consume", broker.address, "py-from-js", "-", "1"));
    expect(lines(c.stdout)).toEqual([{ offset: 0, partition: 0, key: "61", value: "010203", timestamp: expect.any(Number), headers: [["h", "78"]] }]);
  }, 30_000);

  test("two group members split the partitions; when one leaves the other takes them with nothing skipped", async () => {
    const topic = "py-split";
    const admin = kafkaFor(broker.address).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
    await admin.disconnect();
    const member = () => {
      const m = start(py("member", broker.address, topic, "py-split"));
      children.push(m);
      return m;
    };
    const a = member();
    const b = member();
    const assigned = (m: Running): number[] => lines(m.out()).filter((l) => l.assigned).at(-1)?.assigned ?? [];
    await eventually(() => (assigned(a).length === 2 && assigned(b).length === 2 ? true : undefined), 30_000, "a 2-2 split");
    expect([...assigned(a), ...assigned(b)].sort()).toEqual([0, 1, 2, 3]);
    const producer = kafkaFor(broker.address).producer();
    await producer.connect();
    const send = (from: number) => producer.send({ topic, messages: Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: `v${from + i}` })) });
    const seen = () => new Set([...lines(a.out()), ...lines(b.out())].filter((l) => l.value).map((l) => l.value));
    await send(0);
    await eventually(() => (seen().size === 100 ? true : undefined), 20_000, "first 100");
    a.proc.kill("SIGTERM");
    expect(await a.proc.exited).toBe(0);
    await eventually(() => (assigned(b).length === 4 ? true : undefined), 30_000, "the remaining member owning all 4");
    await send(100);
    await eventually(() => (seen().size === 200 ? true : undefined), 20_000, "all 200");
    await producer.disconnect();
    b.proc.kill("SIGTERM");
    await b.proc.exited;
  }, 90_000);

  test("committed offsets are resumed after a restart of a file-backed broker", async () => {
    const dir = tempDir("py-restart");
    let durable = await startBroker({ port: 0, dataDir: dir.path, log: silentLog, groupInitialRebalanceDelayMs: 20 });
    try {
      await run(py("produce", durable.address, "py-resume", "none", "10"));
      const first = await run(py("consume", durable.address, "py-resume", "py-resume", "6"));
      expect(lines(first.stdout).map((m) => m.offset)).toEqual([0, 1, 2, 3, 4, 5]);
      await durable.close();
      durable = await startBroker({ port: 0, dataDir: dir.path, log: silentLog, groupInitialRebalanceDelayMs: 20 });
      const second = await run(py("consume", durable.address, "py-resume", "py-resume", "4"));
      expect(lines(second.stdout).map((m) => m.offset)).toEqual([6, 7, 8, 9]);
    } finally {
      await durable.close();
      dir.remove();
    }
  }, 60_000);

  test("KafkaAdminClient creates a topic with configs, describes, alters (refusing a bad value by name) and adds partitions", async () => {
    const r = await run(py("admin", broker.address, "py-admin"));
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(lines(r.stdout)).toEqual([
      { created: [["py-admin", 0]] },
      {
        topic: {
          "retention.ms": ["120000", false, 1, [["retention.ms", "120000", 1], ["log.retention.ms", "604800000", 5]]],
          "cleanup.policy": ["delete", false, 5, [["log.cleanup.policy", "delete", 5]]],
        },
      },
      { broker: { "num.partitions": ["1", true], "log.retention.ms": ["604800000", true] } },
      { altered: [[0, null]] },
      { refused: [[40, 'Invalid value for retention.bytes: must be an integer, got "lots"']] },
      // AlterConfigs replaces the overrides: retention.ms, not restated, is back to the broker's value.
      { after: { "retention.ms": "604800000", "retention.bytes": "4096" } },
      { grown: [["py-admin", 0]] },
      { partitions: [0, 1, 2] },
    ]);
  }, 60_000);
});
