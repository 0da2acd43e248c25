import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Admin, Consumer, MessagesStreamFallbackModes, MessagesStreamModes, Producer, type Message } from "@platformatic/kafka";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";
import { isFlexible } from "../../../src/kafka/broker/protocol/schema.ts";
import { apis } from "../../../src/kafka/broker/registry.ts";
import { eventually } from "./helpers/eventually.ts";
import { recordingProxy, type RecordingProxy } from "./helpers/recording-proxy.ts";
import { storedBatches } from "./helpers/stored-batches.ts";

/**
 * @platformatic/kafka speaks only flexible versions (ApiVersions v3, Metadata 9+, Fetch 12+, JoinGroup 6+,
 * ...), so every call here goes through the KIP-482 encodings, request header v2 and topic ids.
 */
let broker: Broker;
let proxy: RecordingProxy;
const closers: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  // Clients reach the broker through a proxy that records the versions they choose.
  proxy = await recordingProxy();
  broker = await startBroker({ port: 0, log: silentLog, groupInitialRebalanceDelayMs: 20, advertisedPort: proxy.port });
  proxy.forwardTo(broker.port);
});
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
  await proxy.close();
  await broker.close();
});

const base = (clientId: string) => ({ clientId, bootstrapBrokers: [`127.0.0.1:${proxy.port}`], retries: 2, retryDelay: 100 });
function admin(): Admin {
  const a = new Admin(base("plt-admin"));
  closers.push(() => a.close());
  return a;
}
function producer(options: { idempotent?: boolean } = {}): Producer<Buffer, Buffer, Buffer, Buffer> {
  const p = new Producer<Buffer, Buffer, Buffer, Buffer>({ ...base("plt-producer"), ...options });
  closers.push(() => p.close());
  return p;
}
function consumer(groupId: string): Consumer<Buffer, Buffer, Buffer, Buffer> {
  const c = new Consumer<Buffer, Buffer, Buffer, Buffer>({ ...base(`plt-consumer-${groupId}`), groupId, maxWaitTime: 100, sessionTimeout: 10_000, heartbeatInterval: 500 });
  closers.push(() => c.close());
  return c;
}

type Got = { topic: string; partition: number; offset: bigint; key: Buffer; value: Buffer; headers: Map<Buffer, Buffer> };

/** Consumes until `count` messages arrived (committing each when `commit`), then closes the stream. */
async function take(c: Consumer<Buffer, Buffer, Buffer, Buffer>, topics: string[], count: number, mode: string, commit = false): Promise<Got[]> {
  // A partition without a committed offset starts from the beginning (the client's default is the end).
  const stream = await c.consume({ topics, mode: mode as never, fallbackMode: MessagesStreamFallbackModes.EARLIEST, autocommit: false });
  const got: Got[] = [];
  const timer = setTimeout(() => stream.destroy(new Error(`only ${got.length} of ${count} messages`)), 20_000);
  try {
    for await (const m of stream as AsyncIterable<Message<Buffer, Buffer, Buffer, Buffer>>) {
      got.push({ topic: m.topic, partition: m.partition, offset: m.offset, key: m.key, value: m.value, headers: m.headers });
      if (commit) await m.commit();
      if (got.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
    await stream.close();
  }
  return got;
}

const binary = (i: number) => Buffer.from([0, 255, i & 0xff, 10, 13, 0x80, i >> 8]);

describe("@platformatic/kafka", () => {
  for (const compression of ["none", "gzip"] as const) {
    test(`produces and consumes byte-exact keys, values and headers (${compression})`, async () => {
      const topic = `plt-exact-${compression}`;
      await admin().createTopics({ topics: [topic], partitions: 1, replicas: 1 });
      const p = producer();
      const messages = Array.from({ length: 20 }, (_, i) => ({ topic, partition: 0, key: binary(i + 1000), value: i % 7 === 0 ? Buffer.alloc(0) : binary(i), headers: new Map([[Buffer.from("bin"), binary(i + 7)], [Buffer.from("text"), Buffer.from(`héader-${i}`)]]) }));
      const first = await p.send({ messages: messages.slice(0, 5), acks: -1, compression });
      expect(first.offsets).toEqual([{ topic, partition: 0, offset: 0n }]);
      await p.send({ messages: messages.slice(5), acks: 1, compression });

      const got = await take(consumer(`exact-${compression}`), [topic], 20, MessagesStreamModes.EARLIEST);
      expect(got.map((m) => m.offset)).toEqual(messages.map((_, i) => BigInt(i)));
      got.forEach((m, i) => {
        expect([...m.key]).toEqual([...messages[i]!.key]);
        expect([...m.value]).toEqual([...messages[i]!.value]);
        const headers = new Map([...m.headers].map(([k, v]) => [k.toString(), [...v]]));
        expect(headers.get("bin")).toEqual([...binary(i + 7)]);
        expect(Buffer.from(headers.get("text")!).toString()).toBe(`héader-${i}`);
      });
      const stored = await storedBatches(broker.port, topic);
      expect(stored.map((b) => [b.codec, b.records, b.crcOk])).toEqual([[compression === "gzip" ? 1 : 0, 5, true], [compression === "gzip" ? 1 : 0, 15, true]]);
    }, 30_000);
  }

  test("a consumer commits, leaves, and the next member of the group resumes after the committed offset", async () => {
    const topic = "plt-resume";
    await admin().createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    const p = producer();
    await p.send({ messages: Array.from({ length: 10 }, (_, i) => ({ topic, partition: i % 2, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) })) });

    const leaving = consumer("resume");
    const first = await take(leaving, [topic], 4, MessagesStreamModes.EARLIEST, true);
    await leaving.close();
    const committed = await admin().listConsumerGroupOffsets({ groups: ["resume"] });
    const byPartition = new Map(committed[0]!.topics[0]!.partitions.map((x) => [x.partitionIndex, x.committedOffset]));
    for (const m of first) expect(byPartition.get(m.partition)! > m.offset).toBe(true);

    await p.send({ messages: [{ topic, partition: 0, key: Buffer.from("k10"), value: Buffer.from("v10") }] });
    const rest = await take(consumer("resume"), [topic], 7, MessagesStreamModes.COMMITTED, true);
    const seen = [...first, ...rest].map((m) => m.value.toString()).sort();
    expect(seen).toEqual(Array.from({ length: 11 }, (_, i) => `v${i}`).sort());
  }, 30_000);

  test("two members of one group split the partitions between them, each message read once", async () => {
    const topic = "plt-split";
    await admin().createTopics({ topics: [topic], partitions: 4, replicas: 1 });
    const a = consumer("split");
    const b = consumer("split");
    const received = new Map<string, Got[]>([["a", []], ["b", []]]);
    const streams = await Promise.all(
      [a, b].map(async (c, i) => {
        const stream = await c.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: true });
        stream.on("data", (m: Message<Buffer, Buffer, Buffer, Buffer>) => received.get(i === 0 ? "a" : "b")!.push(m as never));
        return stream;
      }),
    );
    const owned = (c: Consumer<Buffer, Buffer, Buffer, Buffer>) => (c.assignments ?? []).filter((x) => x.topic === topic).flatMap((x) => x.partitions);
    await eventually(() => (owned(a).length > 0 && owned(b).length > 0 && owned(a).length + owned(b).length === 4 ? true : undefined), 20_000, "both members assigned");
    expect([...owned(a), ...owned(b)].sort()).toEqual([0, 1, 2, 3]);

    await producer().send({ messages: Array.from({ length: 40 }, (_, i) => ({ topic, partition: i % 4, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) })) });
    await eventually(() => (received.get("a")!.length + received.get("b")!.length >= 40 ? true : undefined), 20_000, "40 messages");
    for (const s of streams) await s.close();
    expect(new Set(received.get("a")!.map((m) => m.partition))).toEqual(new Set(owned(a)));
    expect(new Set(received.get("b")!.map((m) => m.partition))).toEqual(new Set(owned(b)));
    const values = [...received.get("a")!, ...received.get("b")!].map((m) => m.value.toString()).sort();
    expect(values).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`).sort());
  }, 40_000);

  test("an idempotent producer gets a producer id and its batches are stored once, in order", async () => {
    const topic = "plt-idempotent";
    await admin().createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    const p = producer({ idempotent: true });
    for (let i = 0; i < 3; i++) await p.send({ messages: [{ topic, partition: 0, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) }], acks: -1 });
    expect(p.producerId).toBeGreaterThanOrEqual(0n);
    const got = await take(consumer("idempotent"), [topic], 3, MessagesStreamModes.EARLIEST);
    expect(got.map((m) => [m.offset, m.value.toString()])).toEqual([[0n, "v0"], [1n, "v1"], [2n, "v2"]]);
  }, 30_000);

  test("admin: topics, metadata with topic ids, offsets, coordinators, groups and their offsets", async () => {
    const a = admin();
    const created = await a.createTopics({ topics: ["plt-admin-a", "plt-admin-b"], partitions: 3, replicas: 1 });
    expect(created.map((t) => [t.name, t.partitions, t.replicas])).toEqual([["plt-admin-a", 3, 1], ["plt-admin-b", 3, 1]]);
    expect(created[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(a.createTopics({ topics: ["plt-admin-a"], partitions: 1, replicas: 1 })).rejects.toThrow();
    expect(await a.listTopics()).toEqual(expect.arrayContaining(["plt-admin-a", "plt-admin-b"]));

    const md = await a.metadata({ topics: ["plt-admin-a"], forceUpdate: true });
    expect(md.id).toBeString();
    expect(md.topics.get("plt-admin-a")!.id).toBe(created[0]!.id);
    expect(md.topics.get("plt-admin-a")!.partitionsCount).toBe(3);

    await producer().send({ messages: Array.from({ length: 5 }, (_, i) => ({ topic: "plt-admin-a", partition: 1, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) })) });
    const offsets = await a.listOffsets({ topics: [{ name: "plt-admin-a", partitions: [{ partitionIndex: 1, timestamp: -1n }, { partitionIndex: 2, timestamp: -2n }] }] });
    expect(offsets[0]!.partitions.map((x) => [x.partitionIndex, x.offset])).toEqual([[1, 5n], [2, 0n]]);

    const coordinators = await a.findCoordinator({ keyType: 0, keys: ["plt-g1", "plt-g2"] });
    expect(coordinators.map((x) => [x.key, x.port])).toEqual([["plt-g1", proxy.port], ["plt-g2", proxy.port]]);

    await a.alterConsumerGroupOffsets({ groupId: "plt-admin-g", topics: [{ name: "plt-admin-a", partitionOffsets: [{ partition: 1, offset: 3n }] }] });
    const listed = await a.listConsumerGroupOffsets({ groups: ["plt-admin-g"] });
    expect(listed[0]!.topics[0]!.partitions.map((x) => [x.partitionIndex, x.committedOffset])).toEqual([[1, 3n]]);

    const groups = await a.listGroups();
    expect(groups.get("plt-admin-g")).toMatchObject({ id: "plt-admin-g", protocolType: "consumer" });
    const described = await a.describeGroups({ groups: ["plt-admin-g"], includeAuthorizedOperations: true });
    expect(described.get("plt-admin-g")).toMatchObject({ id: "plt-admin-g", members: new Map() });

    await a.deleteGroups({ groups: ["plt-admin-g"] });
    expect((await a.listGroups()).has("plt-admin-g")).toBe(false);
    await a.deleteTopics({ topics: ["plt-admin-b"] });
    expect(await a.listTopics()).not.toContain("plt-admin-b");
  }, 30_000);

  test("admin: a live group is described with its member and assignment, and a removed member leaves it", async () => {
    const a = admin();
    const topic = "plt-members";
    await a.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    const c = consumer("plt-members");
    const stream = await c.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: true });
    await eventually(() => ((c.assignments ?? []).length > 0 ? true : undefined), 20_000, "assignment");
    const group = (await a.describeGroups({ groups: ["plt-members"] })).get("plt-members")!;
    expect(group.state).toBe("STABLE");
    expect(group.protocolType).toBe("consumer");
    const [member] = [...group.members.values()];
    expect(member!.id).toBe(c.memberId!);
    expect(member!.assignments?.get(topic)?.partitions.sort()).toEqual([0, 1]);
    expect((await a.listGroups({ states: ["STABLE"] })).has("plt-members")).toBe(true);
    await eventually(() => (proxy.seen.has(12) ? true : undefined), 10_000, "a heartbeat"); // every 500 ms

    await a.removeMembersFromConsumerGroup({ groupId: "plt-members", members: [{ memberId: c.memberId!, reason: "test" }] });
    await eventually(async () => {
      const g = (await a.describeGroups({ groups: ["plt-members"] })).get("plt-members")!;
      return g.members.has(member!.id) ? undefined : true;
    }, 10_000, "member removed");
    await stream.close();
  }, 30_000);

  test("every request above went out in the newest version both sides have, all of them flexible", () => {
    const used = Object.fromEntries([...proxy.seen].sort(([a], [b]) => a - b).map(([key, versions]) => [key, [...versions].sort((x, y) => x - y)]));
    expect(used).toEqual({
      0: [9], // Produce
      1: [13], // Fetch, topics by id
      2: [7], // ListOffsets
      3: [12], // Metadata
      8: [8], // OffsetCommit
      9: [8], // OffsetFetch, several groups per request
      10: [4], // FindCoordinator, batched
      11: [9], // JoinGroup
      12: [4], // Heartbeat
      13: [5], // LeaveGroup
      14: [5], // SyncGroup
      15: [5], // DescribeGroups
      16: [4], // ListGroups
      18: [3], // ApiVersions
      19: [7], // CreateTopics
      20: [6], // DeleteTopics
      22: [4], // InitProducerId
      42: [2], // DeleteGroups
    });
    for (const [key, versions] of proxy.seen) {
      const api = apis.find((a) => a.key === key)!;
      for (const v of versions) expect(isFlexible(api, v)).toBe(true);
    }
  });
});
