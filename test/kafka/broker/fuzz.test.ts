import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { apiVersions } from "../../../src/kafka/broker/apis/api-versions.ts";
import { metadata } from "../../../src/kafka/broker/apis/metadata.ts";
import { startBroker, type Broker, type BrokerLog } from "../../../src/kafka/broker/index.ts";
import { isFlexible } from "../../../src/kafka/broker/protocol/schema.ts";
import { Writer } from "../../../src/kafka/broker/protocol/writer.ts";
import { apis } from "../../../src/kafka/broker/registry.ts";
import { kafkaFor } from "./helpers/kafkajs.ts";
import { randomValue, rng } from "./helpers/random-value.ts";
import { RawClient } from "./helpers/raw-client.ts";
import { eventually } from "./helpers/eventually.ts";
import { metadataRequest } from "./helpers/requests.ts";

const warnings: string[] = [];
const errors: string[] = [];
const log: BrokerLog = { info() {}, warn: (m, f) => void warnings.push(`${m} ${JSON.stringify(f)}`), error: (m, f) => void errors.push(`${m} ${JSON.stringify(f)}`) };

let broker: Broker;
beforeAll(async () => {
  broker = await startBroker({ port: 0, log, maxFrameBytes: 1024 * 1024, groupInitialRebalanceDelayMs: 0 });
});
afterAll(async () => {
  await broker.close();
});

// A fixed seed keeps failures reproducible; BROKER_FUZZ_SEED explores others.
const rand = rng(Number(process.env.BROKER_FUZZ_SEED ?? 20240611));
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;

/** A well-formed request frame of a random API and version, with random field values. */
function validFrame(): Uint8Array {
  const api = pick(apis);
  const version = api.minVersion + Math.floor(rand() * (api.maxVersion - api.minVersion + 1));
  const w = new Writer();
  w.int32(0);
  w.int16(api.key);
  w.int16(version);
  w.int32(Math.floor(rand() * 1e6));
  w.nullableString("fuzz");
  if (isFlexible(api, version)) w.unsignedVarint(0); // request header v2: no tagged fields
  // Keep held requests short so connections settle: small waits and timeouts.
  const value = randomValue(api.request, version, rand) as Record<string, unknown>;
  for (const k of ["maxWaitMs", "sessionTimeoutMs", "rebalanceTimeoutMs", "timeoutMs"]) if (k in value) value[k] = Math.floor(rand() * 50);
  api.request.write(w, value, version);
  const bytes = w.toBytes();
  new DataView(bytes.buffer, bytes.byteOffset).setInt32(0, bytes.byteLength - 4);
  return bytes;
}

/** One of: a valid frame, bit flips, a truncated body, a lying length, garbage, an unknown key, a huge or negative size. */
function hostileFrame(): Uint8Array {
  const frame = validFrame();
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  switch (Math.floor(rand() * 8)) {
    case 0:
      return frame;
    case 1:
      for (let i = 0; i < 1 + rand() * 8; i++) frame[4 + Math.floor(rand() * (frame.byteLength - 4))]! ^= 1 << Math.floor(rand() * 8);
      return frame;
    case 2: {
      const cut = 4 + Math.floor(rand() * (frame.byteLength - 4));
      const t = frame.slice(0, cut);
      new DataView(t.buffer).setInt32(0, cut - 4);
      return t;
    }
    case 3:
      view.setInt32(0, frame.byteLength - 4 + 1 + Math.floor(rand() * 100_000));
      return frame;
    case 4:
      view.setInt32(0, Math.max(0, frame.byteLength - 4 - 1 - Math.floor(rand() * 20)));
      return frame;
    case 5:
      return Uint8Array.from({ length: 4 + Math.floor(rand() * 300) }, () => Math.floor(rand() * 256));
    case 6:
      view.setInt16(4, 100 + Math.floor(rand() * 30000));
      return frame;
    default:
      view.setInt32(0, rand() < 0.5 ? -1 - Math.floor(rand() * 1000) : 2 * 1024 * 1024 + Math.floor(rand() * 1e9));
      return frame;
  }
}

/** Opens a raw socket, writes frames (sometimes vanishing mid-frame), and waits a little for the broker's reaction. */
function assault(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ port, host: "127.0.0.1" });
    s.on("error", () => {});
    s.on("data", () => {});
    s.on("close", () => resolve());
    s.on("connect", () => {
      const frames = Array.from({ length: 1 + Math.floor(rand() * 6) }, hostileFrame);
      const bytes = Buffer.concat(frames);
      const vanish = rand() < 0.3;
      s.write(vanish ? bytes.subarray(0, Math.floor(bytes.byteLength / 2)) : bytes);
      setTimeout(() => s.destroy(), vanish ? 0 : 20 + Math.floor(rand() * 80));
    });
  });
}

describe("hostile input", () => {
  test("random, bit-flipped, truncated and length-lying frames over many connections leave the broker serving", async () => {
    const bystander = await RawClient.connect(broker.port);
    for (let round = 0; round < 10; round++) {
      await Promise.all(Array.from({ length: 40 }, () => assault(broker.port)));
      expect((await bystander.request(apiVersions, 2, { clientSoftwareName: "", clientSoftwareVersion: "" })).errorCode).toBe(0);
    }
    expect(bystander.closed).toBe(false);
    expect(warnings.some((w) => w.startsWith("closing connection"))).toBe(true);

    const kafka = kafkaFor(broker.address, "after-fuzz");
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: "after-fuzz", acks: -1, messages: [{ key: "k", value: "still here" }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: "after-fuzz", maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: "after-fuzz", fromBeginning: true });
    const got: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
    await eventually(() => (got.length > 0 ? true : undefined), 20_000, "a message after the fuzzing");
    await consumer.disconnect();
    expect(got).toEqual(["still here"]);
    expect(errors).toEqual([]);
    bystander.close();
  }, 120_000);

  test("hundreds of concurrent connections are each answered", async () => {
    const clients = await Promise.all(Array.from({ length: 300 }, () => RawClient.connect(broker.port)));
    const answers = await Promise.all(clients.map((c) => c.request(metadata, 1, metadataRequest(null, false))));
    expect(answers.every((a) => a.brokers.length === 1 && a.controllerId === 0)).toBe(true);
    for (const c of clients) c.close();
  }, 60_000);
});
