/**
 * Broker benchmark: kafkajs clients in this process against the standalone broker in another.
 *   bun run bench:broker            throughput (100 B and 1 KB values) and produce→consume latency
 *   bun run bench:broker -- --disk  also writes ~1 GB to a data-dir broker and reports its RSS
 *   bun run bench:broker -- --disk-only   only the data-dir part
 *   bun run bench:broker -- --kafkajs-only   without the @platformatic/kafka figures
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { spawnBroker, type BrokerProcess } from "./lib/broker-process.ts";
import { pltConsume, pltCreateTopic, pltProduce } from "./lib/platformatic.ts";
import { fmt, percentile, rate } from "./lib/stats.ts";

const PARTITIONS = 4;
const BATCH = 100;
const CONCURRENCY = 8;
const disk = process.argv.includes("--disk");

function kafkaFor(address: string) {
  return new Kafka({ brokers: [address], clientId: "bench", logLevel: logLevel.NOTHING });
}

async function createTopic(kafka: Kafka, topic: string, partitions: number) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  await admin.disconnect();
}

/** CONCURRENCY loops, each sending batches of BATCH messages to one partition, until `total` are acknowledged. */
async function produce(producer: Producer, topic: string, total: number, size: number, acks: number): Promise<number> {
  const value = Buffer.alloc(size, 120);
  const batches = Array.from({ length: PARTITIONS }, (_, p) => Array.from({ length: BATCH }, () => ({ value, partition: p })));
  let sent = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, i) => {
      while (sent < total) {
        sent += BATCH;
        await producer.send({ topic, acks, messages: batches[i % PARTITIONS]! });
      }
    }),
  );
  return performance.now() - start;
}

async function consume(kafka: Kafka, topic: string, total: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-${topic}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let start = 0;
  const ms = await new Promise<number>((resolve) => {
    void consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        if (start === 0) start = performance.now();
        seen += batch.messages.length;
        if (seen >= total) resolve(performance.now() - start);
      },
    });
  });
  await consumer.disconnect();
  return ms;
}

/** Share of one core the broker used while `work` ran: the rest of the wall time is the clients'. */
async function withBrokerCpu<T extends number>(broker: BrokerProcess, work: () => Promise<T>): Promise<{ ms: T; cpu: string }> {
  const before = await broker.cpuMs();
  const ms = await work();
  const used = (await broker.cpuMs()) - before;
  return { ms, cpu: `broker CPU ${fmt((100 * used) / ms)}% of one core` };
}

async function throughput(broker: BrokerProcess, size: number, total: number, acks = 1) {
  const address = broker.address;
  const kafka = kafkaFor(address);
  const topic = `tp-${size}-${acks}-${Date.now()}`;
  await createTopic(kafka, topic, PARTITIONS);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await produce(producer, topic, 20_000, size, acks); // warm-up
  const p = await withBrokerCpu(broker, () => produce(producer, topic, total, size, acks));
  await producer.disconnect();
  console.log(`${rate(`produce ${size} B acks=${acks}`, total, total * size, p.ms)}  ${p.cpu}`);
  const c = await withBrokerCpu(broker, () => consume(kafka, topic, total + 20_000));
  console.log(`${rate(`consume ${size} B (eachBatch)`, total + 20_000, (total + 20_000) * size, c.ms)}  ${c.cpu}`);
}

/** The same produce and consume load through @platformatic/kafka, which speaks only flexible versions. */
async function platformaticThroughput(broker: BrokerProcess, size: number, total: number, acks = 1) {
  const topic = `plt-${size}-${acks}-${Date.now()}`;
  await pltCreateTopic(broker.address, topic, PARTITIONS);
  const load = { partitions: PARTITIONS, batch: BATCH, concurrency: CONCURRENCY };
  const p = await withBrokerCpu(broker, () => pltProduce(broker.address, topic, total, size, acks, load));
  console.log(`${rate(`plt produce ${size} B acks=${acks}`, total, total * size, p.ms)}  ${p.cpu}`);
  // Everything produced, the warm-up batches included.
  const produced = total + CONCURRENCY * BATCH;
  const c = await withBrokerCpu(broker, () => pltConsume(broker.address, topic, produced));
  console.log(`${rate(`plt consume ${size} B (stream)`, produced, produced * size, c.ms)}  ${c.cpu}`);
}

/** One message at a time: send, wait until the consumer sees it, record the gap. */
async function latency(address: string, samples: number) {
  const kafka = kafkaFor(address);
  const topic = `lat-${Date.now()}`;
  await createTopic(kafka, topic, 1);
  const producer = kafka.producer();
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `lat-${Date.now()}`, maxWaitTimeInMs: 1000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let arrived: (() => void) | undefined;
  void consumer.run({ eachMessage: async () => arrived?.() });
  await new Promise((r) => setTimeout(r, 1000));
  const gaps: number[] = [];
  for (let i = 0; i < samples; i++) {
    const seen = new Promise<void>((r) => (arrived = r));
    const t0 = performance.now();
    await producer.send({ topic, acks: 1, messages: [{ value: "x".repeat(100) }] });
    await seen;
    gaps.push(performance.now() - t0);
  }
  gaps.sort((a, b) => a - b);
  console.log(`produce→consume latency            p50 ${fmt(percentile(gaps, 50), 2)} ms  p99 ${fmt(percentile(gaps, 99), 2)} ms  (${samples} samples)`);
  await consumer.disconnect();
  await producer.disconnect();
}

/** Writes ~1 GB through a data-dir broker and reports its memory before, after, and after reading back. */
async function diskRun() {
  const dir = mkdtempSync(join(tmpdir(), "broker-bench-"));
  const broker = await spawnBroker(["--data-dir", dir]);
  try {
    console.log(`broker RSS at start                ${fmt((await broker.rss()) / 1e6)} MB`);
    const kafka = kafkaFor(broker.address);
    const topic = "disk-1k";
    await createTopic(kafka, topic, PARTITIONS);
    await createTopic(kafka, "disk-100", PARTITIONS);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    // Small messages with acks=-1: many concurrent requests share each fsync round (group commit).
    const small = await produce(producer, "disk-100", 300_000, 100, -1);
    console.log(rate("produce 100 B acks=-1 to disk", 300_000, 300_000 * 100, small));
    const one = await produce(producer, "disk-100", 300_000, 100, 1);
    console.log(rate("produce 100 B acks=1 to disk", 300_000, 300_000 * 100, one));
    const total = 1_000_000;
    const ms = await produce(producer, topic, total, 1000, -1);
    await producer.disconnect();
    console.log(rate("produce 1 KB acks=-1 to disk", total, total * 1000, ms));
    console.log(`broker RSS after writing ~1 GB     ${fmt((await broker.rss()) / 1e6)} MB`);
    const cms = await consume(kafka, topic, total);
    console.log(rate("consume 1 KB from disk", total, total * 1000, cms));
    console.log(`broker RSS after reading it back   ${fmt((await broker.rss()) / 1e6)} MB`);
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  if (process.argv.includes("--disk-only")) return diskRun();
  console.log(`machine: ${navigator.hardwareConcurrency} cores, Bun ${Bun.version}; broker in a separate process; kafkajs 2.2.4, ${CONCURRENCY} concurrent sends of ${BATCH} messages`);
  const broker: BrokerProcess = await spawnBroker();
  try {
    await throughput(broker, 100, 500_000);
    await throughput(broker, 1000, 200_000);
    await latency(broker.address, 1000);
    if (!process.argv.includes("--kafkajs-only")) {
      console.log("@platformatic/kafka 1.x, same load (flexible versions: Produce v9, Fetch v13 by topic id)");
      await platformaticThroughput(broker, 100, 500_000);
      await platformaticThroughput(broker, 1000, 200_000);
    }
  } finally {
    await broker.stop();
  }
  if (disk) await diskRun();
}

await main();
process.exit(0);
