import { afterAll, describe, expect, test } from "bun:test";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";
import type { BrokerLog } from "../../../src/kafka/broker/log.ts";
import { freePort } from "../../support/ports.ts";
import { Group } from "../../../src/kafka/broker/groups/group.ts";
import type { JoinRequest, JoinResult } from "../../../src/kafka/broker/groups/member.ts";
import { eventually } from "./helpers/eventually.ts";
import { kafkaFor, recordingConsumer, type Recorder } from "./helpers/kafkajs.ts";
import { tempDir } from "./helpers/temp-dir.ts";

const dir = tempDir("group-restart");
afterAll(() => dir.remove());

/** A broker log that counts "group rebalancing" lines per group. */
const countingLog = () => {
  const rebalances = new Map<string, number>();
  const log: BrokerLog = {
    ...silentLog,
    info: (msg, fields) => {
      if (msg === "group rebalancing") rebalances.set(String(fields?.group), (rebalances.get(String(fields?.group)) ?? 0) + 1);
    },
  };
  return { log, rebalances };
};

describe("consumer groups across a broker restart", () => {
  test("members carry on with their generation and assignment after the broker restarts: no rebalance at all", async () => {
    const port = await freePort();
    const first = countingLog();
    let broker: Broker = await startBroker({ port, dataDir: dir.path, defaultPartitions: 4, groupInitialRebalanceDelayMs: 200, log: first.log });
    const kafka = kafkaFor(broker.address);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "steady", numPartitions: 4 }] });
    await admin.disconnect();
    const members: Recorder[] = [];
    for (let i = 0; i < 3; i++) members.push(await recordingConsumer(kafka, "steady-group", "steady"));
    await eventually(() => (members.every((m) => m.generation > 0) && new Set(members.flatMap((m) => m.assigned.steady ?? [])).size === 4 ? true : undefined), 20_000, "a stable group");
    await Bun.sleep(1000);
    const generations = members.map((m) => m.generation);
    const assignments = members.map((m) => JSON.stringify(m.assigned));

    await broker.close();
    const second = countingLog();
    broker = await startBroker({ port, dataDir: dir.path, defaultPartitions: 4, groupInitialRebalanceDelayMs: 200, log: second.log });
    try {
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: "steady", messages: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `after-${i}` })) });
      await producer.disconnect();
      await eventually(() => (members.reduce((n, m) => n + m.values.length, 0) >= 40 ? true : undefined), 20_000, "the messages after the restart");
      await Bun.sleep(3500); // several heartbeat intervals and a session timeout
      expect(second.rebalances.get("steady-group") ?? 0).toBe(0);
      expect(members.map((m) => m.generation)).toEqual(generations);
      expect(members.map((m) => JSON.stringify(m.assigned))).toEqual(assignments);
    } finally {
      for (const m of members) await m.consumer.disconnect();
      await broker.close();
    }
  }, 60_000);
});

const request = (memberId: string): JoinRequest => ({
  memberId, groupInstanceId: null, clientId: "c", clientHost: "h", sessionTimeoutMs: 5000, rebalanceTimeoutMs: 5000,
  protocolType: "consumer", protocols: [{ name: "range", metadata: new Uint8Array([1]) }],
});

test("members of a new group arriving one after another within the initial delay share one generation", async () => {
  const g = new Group("g", { initialRebalanceDelayMs: 100, onRebalance() {}, onSettled() {} });
  const joined: Promise<JoinResult>[] = [];
  for (let i = 0; i < 4; i++) {
    joined.push(new Promise((resolve) => g.join(request(""), false, { resolve, alive: () => true })));
    await Bun.sleep(60); // each arrives before the previous one's delay ran out, but after the first's
  }
  const results = await Promise.all(joined);
  expect(results.map((r) => r.generationId)).toEqual([1, 1, 1, 1]);
  g.close();
});
