import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";
import { kafkaFor } from "./helpers/kafkajs.ts";
import { run, start, type Running } from "./helpers/process.ts";
import { CODECS, storedBatches } from "./helpers/stored-batches.ts";
import { eventually } from "./helpers/eventually.ts";
import { tempDir } from "./helpers/temp-dir.ts";

const KCAT = "/usr/bin/kcat";
const fast = ["-X", "session.timeout.ms=3000", "-X", "heartbeat.interval.ms=300", "-X", "auto.commit.interval.ms=100", "-X", "auto.offset.reset=earliest", "-X", "topic.metadata.refresh.interval.ms=1000"];

let broker: Broker;
const children: Running[] = [];
beforeAll(async () => {
  broker = await startBroker({ port: 0, log: silentLog, groupInitialRebalanceDelayMs: 20 });
});
afterAll(async () => {
  for (const c of children) c.proc.kill("SIGKILL");
  await broker.close();
});

const produceLines = (address: string, topic: string, lines: string[], extra: string[] = []) =>
  run([KCAT, "-P", "-b", address, "-t", topic, "-K", "\t", ...extra], { stdin: `${lines.join("\n")}\n` });

describe("kcat (librdkafka)", () => {
  for (const codec of ["none", "gzip", "snappy", "lz4", "zstd"]) {
    test(`round-trips keys, values and headers with ${codec} compression`, async () => {
      const topic = `kcat-${codec}`;
      const lines = Array.from({ length: 20 }, (_, i) => `key-${i}\tvalüe ${i} ${"x".repeat(i * 13)} €`);
      const p = await produceLines(broker.address, topic, lines, ["-z", codec, "-H", "trace=abc-123", "-H", "second=ü", "-X", "acks=all", "-X", "linger.ms=500"]);
      // (Lingering long enough that the 20 lines make one batch on a loaded machine too: a batch of
      // one short line is stored uncompressed, since compressing would not make it smaller.)
      expect(p.exitCode).toBe(0);
      const c = await run([KCAT, "-C", "-b", broker.address, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\t%s\t%h\t%o\n"]);
      expect(c.exitCode).toBe(0);
      const expected = lines.map((l, i) => `${l}\ttrace=abc-123,second=ü\t${i}`);
      expect(c.stdout.trimEnd().split("\n")).toEqual(expected);
      // Every codec is really used: librdkafka up to 2.11 compresses with gzip, snappy or lz4 only when the
      // broker advertises Produce v0 (zstd needs v7), which this broker does. The stored batches carry the
      // codec in their attributes, are far smaller than the text when compressed, and keep a valid CRC-32C.
      const batches = await storedBatches(broker.port, topic);
      expect(batches.length).toBeGreaterThan(0);
      const text = Buffer.byteLength(lines.join(""));
      const stored = batches.reduce((n, b) => n + b.size, 0);
      for (const b of batches) {
        expect(b.crcOk).toBe(true);
        expect(b.codec).toBe(CODECS[codec]!);
      }
      if (codec === "none") expect(stored).toBeGreaterThan(text);
      else expect(stored).toBeLessThan(text / 2);
      if (codec === "none" || codec === "gzip") {
        // kafkajs has these two codecs built in: a second client reads the same bytes.
        const kafka = kafkaFor(broker.address);
        const consumer = kafka.consumer({ groupId: `kcat-check-${codec}`, maxWaitTimeInMs: 100 });
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        const got: string[] = [];
        await consumer.run({ eachMessage: async ({ message }) => void got.push(`${message.key}\t${message.value}\t${message.headers!.trace}`) });
        await eventually(() => (got.length === 20 ? true : undefined), 20_000, "kafkajs reading kcat's messages");
        await consumer.disconnect();
        expect(got).toEqual(lines.map((l) => `${l}\tabc-123`));
      }
    }, 30_000);
  }

  test("consumes messages produced by kafkajs, byte for byte", async () => {
    const kafka = kafkaFor(broker.address);
    const producer = kafka.producer();
    await producer.connect();
    const values = ["plain", "tab\tinside", "ünïcödé ✓", "x".repeat(5000)];
    await producer.send({ topic: "from-kafkajs", messages: values.map((v, i) => ({ key: `k${i}`, value: v })) });
    await producer.disconnect();
    const c = await run([KCAT, "-C", "-b", broker.address, "-t", "from-kafkajs", "-o", "beginning", "-e", "-q", "-f", "%k=%s\n"]);
    expect(c.stdout).toBe(values.map((v, i) => `k${i}=${v}\n`).join(""));
  }, 30_000);

  test("two group members split the partitions; when one is killed the other takes them with nothing skipped", async () => {
    const topic = "kcat-split";
    const admin = kafkaFor(broker.address).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
    await admin.disconnect();
    const member = () => {
      const m = start([KCAT, "-u", "-b", broker.address, "-G", "kcat-split", ...fast, "-f", "%s\n", topic]);
      children.push(m);
      return m;
    };
    const a = member();
    const b = member();
    const assigned = (m: Running) => (m.err().match(/assigned: ([^\n]*)/g) ?? []).at(-1) ?? "";
    const count = (m: Running) => (assigned(m).match(/\[\d+\]/g) ?? []).length;
    await eventually(() => (count(a) === 2 && count(b) === 2 ? true : undefined), 30_000, "a 2-2 split");
    const values = (from: number) => Array.from({ length: 100 }, (_, i) => `k${i}\tv${from + i}`);
    await produceLines(broker.address, topic, values(0));
    const seen = () => new Set([...a.out().split("\n"), ...b.out().split("\n")].filter(Boolean));
    await eventually(() => (seen().size === 100 ? true : undefined), 20_000, "first 100");
    a.proc.kill("SIGKILL");
    await a.proc.exited;
    await produceLines(broker.address, topic, values(100));
    await eventually(() => (count(b) === 4 ? true : undefined), 30_000, "the survivor owning all 4 partitions");
    await eventually(() => (seen().size === 200 ? true : undefined), 20_000, "all 200");
    b.proc.kill("SIGTERM");
    await b.proc.exited;
  }, 60_000);

  test("committed offsets are resumed after a restart of a file-backed broker", async () => {
    const dir = tempDir("kcat-restart");
    let durable = await startBroker({ port: 0, dataDir: dir.path, log: silentLog, groupInitialRebalanceDelayMs: 20 });
    try {
      await produceLines(durable.address, "kcat-resume", Array.from({ length: 10 }, (_, i) => `k\tm${i}`), ["-X", "acks=all"]);
      const consume = (address: string) => run([KCAT, "-b", address, "-G", "kcat-resume", ...fast, "-e", "-q", "-f", "%s\n", "kcat-resume"]);
      const first = await consume(durable.address);
      expect(first.stdout.trim().split("\n")).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
      await durable.close();
      durable = await startBroker({ port: 0, dataDir: dir.path, log: silentLog, groupInitialRebalanceDelayMs: 20 });
      await produceLines(durable.address, "kcat-resume", ["k\tn0", "k\tn1"], ["-X", "acks=all"]);
      const second = await consume(durable.address);
      expect(second.stdout.trim().split("\n")).toEqual(["n0", "n1"]);
    } finally {
      await durable.close();
      dir.remove();
    }
  }, 60_000);
});
