import { afterAll, expect, test } from "bun:test";
import { fetch } from "../../../src/kafka/broker/apis/fetch.ts";
import { offsetCommit } from "../../../src/kafka/broker/apis/offset-commit.ts";
import { spawnBrokerProcess, type BrokerChild } from "./helpers/broker-process.ts";
import { kafkaFor } from "./helpers/kafkajs.ts";
import { run } from "./helpers/process.ts";
import { decodeBatches } from "./helpers/record-batch.ts";
import { RawClient } from "./helpers/raw-client.ts";
import { tempDir } from "./helpers/temp-dir.ts";
import { ZERO_UUID } from "../../../src/kafka/broker/protocol/schema.ts";

const dir = tempDir("durability");
const children: BrokerChild[] = [];
afterAll(async () => {
  for (const c of children) {
    c.proc.kill("SIGKILL");
    await c.proc.exited;
  }
  dir.remove();
});

const start = async () => {
  const b = await spawnBrokerProcess(["--data-dir", dir.path, "--partitions", "2"]);
  children.push(b);
  return b;
};

/** Every record of a partition, read raw so each batch's CRC is checked. */
async function readAll(address: string, topic: string, partition: number): Promise<string[]> {
  const c = await RawClient.connect(Number(address.split(":")[1]));
  const out: string[] = [];
  for (let offset = 0; ; ) {
    const f = await c.request(fetch, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 22, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, topicId: ZERO_UUID, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 22 }] }],
      forgottenTopicsData: [], rackId: "",
    });
    const p = f.responses[0]!.partitions[0]!;
    const recs = decodeBatches(p.records as Uint8Array).filter((r) => r.offset >= offset);
    if (recs.length === 0) break;
    for (const r of recs) out.push(new TextDecoder().decode(r.value!));
    offset = recs.at(-1)!.offset + 1;
  }
  c.close();
  return out;
}

test("messages acknowledged with acks=-1 and committed group offsets survive kill -9 of the broker process", async () => {
  const first = await start();
  const kafka = kafkaFor(first.address);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "durable" }] });
  await admin.disconnect();
  // A simple consumer's commit (generation -1, no member id), as kcat and admin tools send it.
  const raw = await RawClient.connect(Number(first.address.split(":")[1]));
  const committed = await raw.request(offsetCommit, 2, {
    groupId: "durable-group", generationIdOrMemberEpoch: -1, memberId: "", groupInstanceId: null, retentionTimeMs: -1,
    topics: [{ name: "durable", partitions: [0, 1].map((p) => ({ partitionIndex: p, committedOffset: p === 0 ? 3 : 5, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null })) }],
  });
  expect(committed.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0]);
  raw.close();

  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  const acked: string[] = [];
  let stop = false;
  const loops = Array.from({ length: 8 }, async (_, loop) => {
    for (let i = 0; !stop; i++) {
      const values = Array.from({ length: 20 }, (_, j) => `l${loop}-b${i}-m${j}`);
      try {
        await producer.send({ topic: "durable", acks: -1, messages: values.map((value, j) => ({ value, partition: j % 2 })) });
        acked.push(...values);
      } catch {
        return; // the broker is gone: whatever was not acknowledged may be lost
      }
    }
  });
  while (acked.length < 4000) await Bun.sleep(5);
  first.proc.kill("SIGKILL");
  stop = true;
  await first.proc.exited;
  await Promise.all(loops);
  await producer.disconnect().catch(() => {});

  const second = await start();
  const stored = new Set([...(await readAll(second.address, "durable", 0)), ...(await readAll(second.address, "durable", 1))]);
  const missing = acked.filter((v) => !stored.has(v));
  expect(missing).toEqual([]);
  expect(acked.length).toBeGreaterThanOrEqual(4000);

  const admin2 = kafkaFor(second.address).admin();
  await admin2.connect();
  const offsets = await admin2.fetchOffsets({ groupId: "durable-group", topics: ["durable"] });
  await admin2.disconnect();
  expect(offsets[0]!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([[0, "3"], [1, "5"]]);
}, 90_000);

test("a second broker process on a data directory in use refuses to start with a clear error", async () => {
  const running = children.at(-1)!;
  const other = await run([process.execPath, new URL("../../../src/kafka/broker/cli.ts", import.meta.url).pathname, "--port", "0", "--data-dir", dir.path], { timeoutMs: 20_000 });
  expect(other.exitCode).not.toBe(0);
  expect(other.stderr).toContain(`in use by another broker (pid ${running.proc.pid})`);
}, 30_000);
