import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTopics } from "../../../src/kafka/broker/apis/create-topics.ts";
import { describeGroups } from "../../../src/kafka/broker/apis/describe-groups.ts";
import { heartbeat } from "../../../src/kafka/broker/apis/heartbeat.ts";
import { joinGroup } from "../../../src/kafka/broker/apis/join-group.ts";
import { leaveGroup } from "../../../src/kafka/broker/apis/leave-group.ts";
import { syncGroup } from "../../../src/kafka/broker/apis/sync-group.ts";
import { deleteTopics } from "../../../src/kafka/broker/apis/delete-topics.ts";
import { fetch } from "../../../src/kafka/broker/apis/fetch.ts";
import { findCoordinator } from "../../../src/kafka/broker/apis/find-coordinator.ts";
import { listGroups } from "../../../src/kafka/broker/apis/list-groups.ts";
import { listOffsets } from "../../../src/kafka/broker/apis/list-offsets.ts";
import { metadata } from "../../../src/kafka/broker/apis/metadata.ts";
import { offsetCommit } from "../../../src/kafka/broker/apis/offset-commit.ts";
import { offsetFetch } from "../../../src/kafka/broker/apis/offset-fetch.ts";
import { produce } from "../../../src/kafka/broker/apis/produce.ts";
import { silentLog, startBroker, type Broker } from "../../../src/kafka/broker/index.ts";
import { ErrorCode } from "../../../src/kafka/broker/protocol/errors.ts";
import { ZERO_UUID } from "../../../src/kafka/broker/protocol/schema.ts";
import { allOperations } from "../../../src/kafka/broker/state/operations.ts";
import { RawClient } from "./helpers/raw-client.ts";
import { buildBatch, decodeBatches } from "./helpers/record-batch.ts";
import { metadataRequest } from "./helpers/requests.ts";
import { tempDir } from "./helpers/temp-dir.ts";

let broker: Broker;
const clients: RawClient[] = [];
const connect = async (port = broker.port) => {
  const c = await RawClient.connect(port);
  clients.push(c);
  return c;
};
const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : null);

beforeAll(async () => {
  broker = await startBroker({ port: 0, log: silentLog, groupInitialRebalanceDelayMs: 0 });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await broker.close();
});

async function topicId(c: RawClient, name: string): Promise<string> {
  const md = await c.request(metadata, 12, metadataRequest([name], true));
  expect(md.topics[0]!.errorCode).toBe(0);
  return md.topics[0]!.topicId;
}

const produceV9 = (topic: string, values: string[], timestamps: number[] = []) => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 1000,
  topicData: [{ name: topic, partitionData: [{ index: 0, records: buildBatch(values.map((v, i) => ({ key: null, value: enc(v), timestamp: timestamps[i] }))) }] }],
});

async function maxTimestamp(c: RawClient, topic: string) {
  const r = await c.request(listOffsets, 7, {
    replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -3 }] }],
  });
  return r.topics[0]!.partitions[0]!;
}

const fetchV13 = (id: string, offset = 0) => ({
  ...fetch.request.empty(),
  maxWaitMs: 0,
  minBytes: 1,
  maxBytes: 1 << 20,
  topics: [{ topic: "", topicId: id, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
});

describe("topic ids", () => {
  test("Metadata v12 gives each topic a UUID, answers by id, and names an unknown id UNKNOWN_TOPIC_ID with a null name", async () => {
    const c = await connect();
    const id = await topicId(c, "ids-a");
    expect(id).not.toBe(ZERO_UUID);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await topicId(c, "ids-a")).toBe(id);
    expect(await topicId(c, "ids-b")).not.toBe(id);

    const byId = await c.request(metadata, 12, { ...metadata.request.empty(), topics: [{ topicId: id, name: null }] });
    expect(byId.topics).toMatchObject([{ errorCode: 0, name: "ids-a", topicId: id }]);
    const unknown = "0000000a-0000-0000-0000-000000000001";
    const missing = await c.request(metadata, 12, { ...metadata.request.empty(), topics: [{ topicId: unknown, name: null }] });
    expect(missing.topics).toMatchObject([{ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: unknown, partitions: [] }]);
    const v10 = await c.request(metadata, 10, { ...metadata.request.empty(), topics: [{ topicId: unknown, name: null }] });
    expect(v10.topics).toMatchObject([{ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: "", topicId: unknown }]);
  });

  test("Metadata v8+ reports authorized operations only when asked", async () => {
    const c = await connect();
    await topicId(c, "ops");
    const asked = await c.request(metadata, 10, { ...metadataRequest(["ops"]), includeTopicAuthorizedOperations: true, includeClusterAuthorizedOperations: true });
    expect(asked.topics[0]!.topicAuthorizedOperations).toBe(allOperations.topic);
    expect(asked.clusterAuthorizedOperations).toBe(allOperations.cluster);
    const not = await c.request(metadata, 10, metadataRequest(["ops"]));
    expect(not.topics[0]!.topicAuthorizedOperations).toBe(-2147483648);
  });

  test("Produce v9 and Fetch v13 by topic id carry the records; an unknown id answers UNKNOWN_TOPIC_ID", async () => {
    const c = await connect();
    const id = await topicId(c, "fetch-by-id");
    const p = await c.request(produce, 9, produceV9("fetch-by-id", ["one", "two"]));
    expect(p.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0, recordErrors: [], errorMessage: null });
    const f = await c.request(fetch, 13, fetchV13(id));
    expect(f.responses[0]!.topicId).toBe(id);
    const part = f.responses[0]!.partitions[0]!;
    expect(part).toMatchObject({ errorCode: 0, highWatermark: 2, lastStableOffset: 2 });
    const bytes = part.records as Uint8Array;
    expect(decodeBatches(bytes).map((r) => text(r.value))).toEqual(["one", "two"]);
    const bad = await c.request(fetch, 13, fetchV13("0000000a-0000-0000-0000-000000000002"));
    expect(bad.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });

  test("a produce error names its reason in v8+", async () => {
    const c = await connect();
    await topicId(c, "reasons");
    const batch = buildBatch([{ key: null, value: enc("x") }]);
    batch[batch.byteLength - 1]! ^= 1;
    const p = await c.request(produce, 9, { ...produceV9("reasons", []), topicData: [{ name: "reasons", partitionData: [{ index: 0, records: batch }] }] });
    expect(p.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(p.responses[0]!.partitionResponses[0]!.errorMessage).toContain("CRC");
  });

  test("CreateTopics v7 returns the id Metadata reports; DeleteTopics v6 deletes by id", async () => {
    const c = await connect();
    const created = await c.request(createTopics, 7, {
      topics: [{ name: "by-id", numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    const t = created.topics[0]!;
    expect(t).toMatchObject({ errorCode: 0, numPartitions: 3, replicationFactor: 1 });
    // v5+ describes the new topic's configs, as DescribeConfigs would (here all defaults).
    expect(t.configs!.find((c) => c.name === "cleanup.policy")).toEqual({ name: "cleanup.policy", value: "delete", readOnly: false, configSource: 5, isSensitive: false });
    expect(await topicId(c, "by-id")).toBe(t.topicId);
    const again = await c.request(createTopics, 7, { topics: [{ name: "by-id", numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
    expect(again.topics[0]).toMatchObject({ errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, topicId: ZERO_UUID, numPartitions: -1, configs: null });

    const deleted = await c.request(deleteTopics, 6, { topics: [{ name: null, topicId: t.topicId }], topicNames: [], timeoutMs: 1000 });
    expect(deleted.responses).toEqual([{ name: "by-id", topicId: t.topicId, errorCode: 0, errorMessage: null }]);
    const gone = await c.request(deleteTopics, 6, { topics: [{ name: null, topicId: t.topicId }], topicNames: [], timeoutMs: 1000 });
    expect(gone.responses[0]).toMatchObject({ name: null, errorCode: ErrorCode.UNKNOWN_TOPIC_ID });
    const byName = await c.request(deleteTopics, 6, { topics: [{ name: "never-was", topicId: ZERO_UUID }], topicNames: [], timeoutMs: 1000 });
    expect(byName.responses[0]).toMatchObject({ name: "never-was", errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
  });

  test("an id is kept across restarts, and a topic stored before ids existed gets one that stays", async () => {
    const dir = tempDir("topic-ids");
    try {
      let b = await startBroker({ port: 0, log: silentLog, dataDir: dir.path });
      let c = await connect(b.port);
      const kept = await topicId(c, "kept");
      const T = 1_700_000_000_000;
      await c.request(produce, 9, produceV9("kept", ["a", "b"], [T + 50, T + 900]));
      await c.request(produce, 9, produceV9("kept", ["c"], [T + 300]));
      expect(await maxTimestamp(c, "kept")).toMatchObject({ errorCode: 0, offset: 1, timestamp: T + 900 });
      await topicId(c, "legacy");
      c.close();
      await b.close();
      const marker = join(dir.path, "topics", "legacy", "topic.json");
      expect(JSON.parse(readFileSync(marker, "utf8")).id).toBeString();
      writeFileSync(marker, JSON.stringify({ partitions: 1 }));

      b = await startBroker({ port: 0, log: silentLog, dataDir: dir.path });
      c = await connect(b.port);
      expect(await topicId(c, "kept")).toBe(kept);
      const legacy = await topicId(c, "legacy");
      expect(legacy).not.toBe(ZERO_UUID);
      c.close();
      await b.close();

      b = await startBroker({ port: 0, log: silentLog, dataDir: dir.path });
      c = await connect(b.port);
      expect(await topicId(c, "legacy")).toBe(legacy);
      c.close();
      await b.close();
    } finally {
      dir.remove();
    }
  });
});

describe("batched group APIs", () => {
  test("FindCoordinator v4 answers one coordinator per key", async () => {
    const c = await connect();
    const r = await c.request(findCoordinator, 4, { key: "", keyType: 0, coordinatorKeys: ["g1", "g2"] });
    const self = { host: "127.0.0.1", port: broker.port, errorCode: 0, errorMessage: null };
    expect(r.coordinators).toMatchObject([{ key: "g1", ...self }, { key: "g2", ...self }]);
  });

  test("OffsetCommit v8 for two groups, then one OffsetFetch v8 reads both (and all of a group's topics with null)", async () => {
    const c = await connect();
    await topicId(c, "offsets-v8");
    const commit = (groupId: string, offset: number) =>
      c.request(offsetCommit, 8, {
        groupId, generationIdOrMemberEpoch: -1, memberId: "", groupInstanceId: null, retentionTimeMs: -1,
        topics: [{ name: "offsets-v8", partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: `m${offset}` }] }],
      });
    expect((await commit("ga", 5)).topics[0]!.partitions[0]!.errorCode).toBe(0);
    expect((await commit("gb", 9)).topics[0]!.partitions[0]!.errorCode).toBe(0);
    const r = await c.request(offsetFetch, 8, {
      groupId: "", topics: null, requireStable: true,
      groups: [
        { groupId: "ga", topics: [{ name: "offsets-v8", partitionIndexes: [0] }] },
        { groupId: "gb", topics: null },
        { groupId: "gc", topics: [{ name: "offsets-v8", partitionIndexes: [0] }] },
      ],
    });
    const offsets = r.groups.map((g) => [g.groupId, g.errorCode, g.topics.map((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.committedOffset, p.metadata]))]);
    expect(offsets).toEqual([
      ["ga", 0, [[["offsets-v8", 0, 5, "m5"]]]],
      ["gb", 0, [[["offsets-v8", 0, 9, "m9"]]]],
      ["gc", 0, [[["offsets-v8", 0, -1, ""]]]],
    ]);
    const listed = await c.request(listGroups, 4, { statesFilter: ["empty"] });
    expect(listed.groups.filter((g) => g.groupId === "ga" || g.groupId === "gb").map((g) => g.groupState)).toEqual(["Empty", "Empty"]);
    expect((await c.request(listGroups, 4, { statesFilter: ["Stable"] })).groups.some((g) => g.groupId === "ga")).toBe(false);
  });
});

describe("a group's life in the newest versions", () => {
  test("JoinGroup v9, SyncGroup v5 (protocol checked), Heartbeat v4, DescribeGroups v5, LeaveGroup v5", async () => {
    const c = await connect();
    const join = (memberId: string) =>
      c.request(joinGroup, 9, {
        groupId: "life", sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: "consumer",
        protocols: [{ name: "range", metadata: new Uint8Array([1, 2]) }], reason: "starting",
      });
    const first = await join("");
    expect(first).toMatchObject({ errorCode: ErrorCode.MEMBER_ID_REQUIRED, protocolType: null, protocolName: null });
    const joined = await join(first.memberId);
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolType: "consumer", protocolName: "range", leader: first.memberId, skipAssignment: false });
    expect(joined.members.map((m) => [m.memberId, [...m.metadata]])).toEqual([[first.memberId, [1, 2]]]);

    const sync = (protocolName: string) =>
      c.request(syncGroup, 5, {
        groupId: "life", generationId: 1, memberId: first.memberId, groupInstanceId: null, protocolType: "consumer", protocolName,
        assignments: [{ memberId: first.memberId, assignment: new Uint8Array([7]) }],
      });
    expect((await sync("roundrobin")).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const synced = await sync("range");
    expect({ ...synced, assignment: [...synced.assignment] }).toEqual({ throttleTimeMs: 0, errorCode: 0, protocolType: "consumer", protocolName: "range", assignment: [7] });

    expect((await c.request(heartbeat, 4, { groupId: "life", generationId: 1, memberId: first.memberId, groupInstanceId: null })).errorCode).toBe(0);
    const described = await c.request(describeGroups, 5, { groups: ["life"], includeAuthorizedOperations: true });
    expect(described.groups[0]).toMatchObject({ errorCode: 0, groupState: "Stable", protocolType: "consumer", protocolData: "range", authorizedOperations: allOperations.group });
    expect(described.groups[0]!.members.map((m) => [m.memberId, m.groupInstanceId, [...m.memberAssignment]])).toEqual([[first.memberId, null, [7]]]);

    const left = await c.request(leaveGroup, 5, { groupId: "life", memberId: "", members: [{ memberId: first.memberId, groupInstanceId: null, reason: "done" }] });
    expect(left).toMatchObject({ errorCode: 0, members: [{ memberId: first.memberId, errorCode: 0 }] });
    const after = await c.request(describeGroups, 5, { groups: ["life"], includeAuthorizedOperations: false });
    expect(after.groups[0]).toMatchObject({ groupState: "Empty", members: [], authorizedOperations: -2147483648 });
  });
});

describe("ListOffsets v7", () => {
  test("MAX_TIMESTAMP (-3) finds the record with the largest timestamp (in memory; on disk above)", async () => {
    const c = await connect();
    await topicId(c, "max-ts");
    const T = 1_700_000_000_000;
    await c.request(produce, 9, produceV9("max-ts", ["a", "b", "c"], [T, T + 500, T + 200]));
    await c.request(produce, 9, produceV9("max-ts", ["d"], [T + 100]));
    const p = await maxTimestamp(c, "max-ts");
    expect(p.errorCode).toBe(0);
    expect(p.leaderEpoch).toBe(-1);
    expect([p.offset, p.timestamp]).toEqual([1, T + 500]);
  });
});
