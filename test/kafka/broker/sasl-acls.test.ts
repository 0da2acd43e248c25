import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes, type SASLOptions } from "kafkajs";
import { apiVersions } from "../../../src/kafka/broker/apis/api-versions.ts";
import { metadata } from "../../../src/kafka/broker/apis/metadata.ts";
import { saslAuthenticate } from "../../../src/kafka/broker/apis/sasl-authenticate.ts";
import { saslHandshake } from "../../../src/kafka/broker/apis/sasl-handshake.ts";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";
import { eventually } from "./helpers/eventually.ts";
import { RawClient } from "./helpers/raw-client.ts";
import { tempDir } from "./helpers/temp-dir.ts";

const users = new Map([
  ["admin", "admin-secret"],
  ["alice", "alice, with = and é"],
  ["shop", "shop-secret"],
]);
const dir = tempDir("sasl");
let broker: Broker;
const open = () => startBroker({ port: 0, log: silentLog, dataDir: dir.path, groupInitialRebalanceDelayMs: 20, sasl: { users, superUsers: ["User:admin"] } });
beforeAll(async () => {
  broker = await open();
});
afterAll(async () => {
  await broker.close();
  dir.remove();
});

const client = (sasl: SASLOptions | undefined, clientId = "sasl-test") =>
  new Kafka({ brokers: [broker.address], clientId, sasl, logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } });
const as = (username: string, mechanism: "plain" | "scram-sha-256" | "scram-sha-512" = "plain") => client({ mechanism, username, password: users.get(username)! } as SASLOptions);

const allow = (principal: string, resourceType: AclResourceTypes, resourceName: string, operation: AclOperationTypes, pattern = ResourcePatternTypes.LITERAL) => ({
  principal,
  host: "*",
  resourceType,
  resourceName,
  resourcePatternType: pattern,
  operation,
  permissionType: AclPermissionTypes.ALLOW,
});

describe("SASL authentication", () => {
  for (const mechanism of ["plain", "scram-sha-256", "scram-sha-512"] as const) {
    test(`kafkajs authenticates with ${mechanism} and produces and consumes`, async () => {
      const kafka = as("admin", mechanism);
      const topic = `authed-${mechanism}`;
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ value: "hello" }] });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: `g-${mechanism}`, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const got: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
      await eventually(() => (got.length > 0 ? true : undefined), 15_000, "the message");
      await consumer.disconnect();
      expect(got).toEqual(["hello"]);
    });
  }

  test("a password with commas, equals signs and non-ASCII letters works with SCRAM (saslname escaping)", async () => {
    const admin = as("alice", "scram-sha-512").admin();
    await admin.connect();
    await admin.disconnect();
  });

  for (const mechanism of ["plain", "scram-sha-256", "scram-sha-512"] as const) {
    test(`a wrong password is refused with ${mechanism}`, async () => {
      const admin = client({ mechanism, username: "alice", password: "wrong" } as SASLOptions).admin();
      await expect(admin.connect()).rejects.toThrow(/SASL|authentication/i);
    });
  }

  test("an unknown user is refused", async () => {
    const admin = client({ mechanism: "scram-sha-256", username: "mallory", password: "x" }).admin();
    await expect(admin.connect()).rejects.toThrow(/SASL|authentication/i);
  });

  test("before authenticating only ApiVersions and the handshake are answered; anything else closes the connection", async () => {
    const c = await RawClient.connect(broker.port);
    const versions = await c.request(apiVersions, 0, { clientSoftwareName: "", clientSoftwareVersion: "" } as never);
    expect((versions as { errorCode: number }).errorCode).toBe(0);
    const hs = await c.request(saslHandshake, 1, { mechanism: "GSSAPI" });
    expect(hs.errorCode).toBe(33);
    expect(hs.mechanisms).toEqual(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]);
    await expect(c.request(metadata, 1, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })).rejects.toThrow("connection closed");
    expect(c.closed).toBe(true);
  });

  test("SaslHandshake v0 takes the PLAIN token as a bare frame, as old clients send it", async () => {
    const c = await RawClient.connect(broker.port);
    expect((await c.request(saslHandshake, 0, { mechanism: "PLAIN" })).errorCode).toBe(0);
    const token = new TextEncoder().encode("\u0000shop\u0000shop-secret");
    const frame = new Uint8Array(4 + token.byteLength);
    new DataView(frame.buffer).setInt32(0, token.byteLength);
    frame.set(token, 4);
    c.write(frame);
    await eventually(() => (c.received.length >= 2 || c.closed ? true : undefined), 5000, "the empty reply");
    const m = await c.request(metadata, 1, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(m.brokers.length).toBe(1);
    c.close();
  });

  test("a client without SASL cannot use the broker", async () => {
    const admin = client(undefined).admin();
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect();
  });
});

describe("ACLs", () => {
  test("a shop allowed to write only ingress topics gets TOPIC_AUTHORIZATION_FAILED elsewhere and sees only its topics", async () => {
    const admin = as("admin").admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "in-buy" }, { topic: "points" }] });
    await admin.createAcls({
      acl: [allow("User:shop", AclResourceTypes.TOPIC, "in-", AclOperationTypes.WRITE, ResourcePatternTypes.PREFIXED), allow("User:shop", AclResourceTypes.TOPIC, "in-", AclOperationTypes.DESCRIBE, ResourcePatternTypes.PREFIXED)],
    });
    const shop = as("shop", "scram-sha-256").producer({ retry: { retries: 0 } });
    await shop.connect();
    await shop.send({ topic: "in-buy", messages: [{ value: "a purchase" }] });
    await expect(shop.send({ topic: "points", messages: [{ value: "free points" }] })).rejects.toThrow(/authoriz/i);
    // Allowed to see the topic but not to write it: the Produce itself is refused.
    await admin.createAcls({ acl: [allow("User:shop", AclResourceTypes.TOPIC, "points", AclOperationTypes.DESCRIBE)] });
    const produced = await shop.send({ topic: "points", messages: [{ value: "free points" }] }).then(() => null, (e: { type?: string; cause?: { type?: string } }) => e.type ?? e.cause?.type);
    expect(produced).toBe("TOPIC_AUTHORIZATION_FAILED");
    await admin.deleteAcls({ filters: [allow("User:shop", AclResourceTypes.TOPIC, "points", AclOperationTypes.DESCRIBE)] });
    await shop.disconnect();
    const shopAdmin = as("shop").admin();
    await shopAdmin.connect();
    expect((await shopAdmin.listTopics()).sort()).toEqual(["in-buy"]);
    const refused = await shopAdmin.createTopics({ topics: [{ topic: "in-new" }] }).catch((e: { errors?: { type: string }[] }) => e.errors?.map((x) => x.type));
    expect(refused).toEqual(["TOPIC_AUTHORIZATION_FAILED"]);
    await shopAdmin.disconnect();
    // The points topic holds nothing the shop sent.
    const offsets = await admin.fetchTopicOffsets("points");
    expect(offsets.map((o) => o.high)).toEqual(["0"]);
    await admin.disconnect();
  });

  test("a deny ACL wins over an allow; reading and groups need their own ACLs", async () => {
    const admin = as("admin").admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "feed" }] });
    const p = as("admin").producer();
    await p.connect();
    await p.send({ topic: "feed", messages: [{ value: "x" }] });
    await p.disconnect();
    await admin.createAcls({ acl: [allow("User:alice", AclResourceTypes.TOPIC, "feed", AclOperationTypes.READ)] });
    const consumeAsAlice = async (groupId: string) => {
      const consumer = as("alice").consumer({ groupId, maxWaitTimeInMs: 100, retry: { retries: 0 } });
      let crashed = "";
      consumer.on(consumer.events.CRASH, (e) => void (crashed = String(e.payload.error.message)));
      await consumer.connect();
      const got: string[] = [];
      try {
        await consumer.subscribe({ topic: "feed", fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
        await eventually(() => (got.length > 0 || crashed ? true : undefined), 15_000, "a message or a crash");
        return { got, crashed };
      } catch (e) {
        return { got, crashed: String((e as Error).message) };
      } finally {
        await consumer.disconnect();
      }
    };
    // Without Describe on the group FindCoordinator answers GROUP_AUTHORIZATION_FAILED, which kafkajs reports as no coordinator.
    expect(await consumeAsAlice("alice-group")).toEqual({ got: [], crashed: expect.stringMatching(/coordinator|authoriz/i) });
    await admin.createAcls({ acl: [allow("User:alice", AclResourceTypes.GROUP, "alice-", AclOperationTypes.READ, ResourcePatternTypes.PREFIXED)] });
    expect(await consumeAsAlice("alice-group")).toEqual({ got: ["x"], crashed: "" });
    await admin.createAcls({ acl: [{ ...allow("User:alice", AclResourceTypes.TOPIC, "*", AclOperationTypes.ALL), permissionType: AclPermissionTypes.DENY }] });
    expect(await consumeAsAlice("alice-other")).toEqual({ got: [], crashed: expect.stringMatching(/authoriz/i) });
    await admin.disconnect();
  });

  test("ACLs are listed, deleted and kept across a restart; only the cluster's Alter may change them", async () => {
    const admin = as("admin").admin();
    await admin.connect();
    await admin.createAcls({ acl: [allow("User:reader", AclResourceTypes.TOPIC, "reward-notify", AclOperationTypes.READ)] });
    const filter = { resourceType: AclResourceTypes.TOPIC, resourceName: "reward-notify", resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY };
    expect((await admin.describeAcls(filter)).resources).toEqual([{ resourceType: AclResourceTypes.TOPIC, resourceName: "reward-notify", resourcePatternType: ResourcePatternTypes.LITERAL, acls: [{ principal: "User:reader", host: "*", operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW }] }]);
    await admin.disconnect();

    await broker.close();
    broker = await open();
    const again = as("admin").admin();
    await again.connect();
    expect((await again.describeAcls(filter)).resources.length).toBe(1);
    // MATCH finds every ACL that applies to a name: the shop's prefixed ones and alice's wildcard deny.
    const matching = await again.describeAcls({ resourceType: AclResourceTypes.TOPIC, resourceName: "in-buy", resourcePatternType: ResourcePatternTypes.MATCH, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
    expect(matching.resources.map((r) => [r.resourceName, r.resourcePatternType])).toEqual([["in-", ResourcePatternTypes.PREFIXED], ["*", ResourcePatternTypes.LITERAL]]);
    const deleted = await again.deleteAcls({ filters: [filter] });
    expect(deleted.filterResponses[0]!.matchingAcls.map((a) => a.principal)).toEqual(["User:reader"]);
    expect((await again.describeAcls(filter)).resources).toEqual([]);
    await again.disconnect();

    const shop = as("shop").admin();
    await shop.connect();
    await expect(shop.createAcls({ acl: [allow("User:shop", AclResourceTypes.TOPIC, "points", AclOperationTypes.WRITE)] })).rejects.toThrow(/authoriz/i);
    await expect(shop.describeAcls(filter)).rejects.toThrow(/authoriz/i);
    await shop.disconnect();
  });

  test("the admin APIs ask for Kafka's operations: DescribeConfigs, Alter, Delete, Describe on the cluster", async () => {
    const shop = as("shop").admin({ retry: { retries: 0 } });
    await shop.connect();
    const typeOf = (p: Promise<unknown>) => p.then(() => "allowed", (e: { type?: string; errors?: { type?: string }[]; cause?: { type?: string } }) => e.type ?? e.errors?.[0]?.type ?? e.cause?.type ?? "refused");
    // The shop may write and describe in-buy, which grants none of these.
    expect(await typeOf(shop.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: "in-buy" }] }))).toBe("TOPIC_AUTHORIZATION_FAILED");
    expect(await typeOf(shop.describeConfigs({ includeSynonyms: false, resources: [{ type: 4, name: "0" }] }))).toBe("CLUSTER_AUTHORIZATION_FAILED");
    expect(await typeOf(shop.createPartitions({ topicPartitions: [{ topic: "in-buy", count: 2 }] }))).not.toBe("allowed");
    expect(await typeOf(shop.deleteTopicRecords({ topic: "in-buy", partitions: [{ partition: 0, offset: "-1" }] }))).not.toBe("allowed");
    await shop.disconnect();
    const admin = as("admin").admin();
    await admin.connect();
    expect((await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: "in-buy" }] })).resources[0]!.errorCode).toBe(0);
    expect((await admin.fetchTopicOffsets("in-buy")).map((o) => o.partition)).toEqual([0]);
    await admin.disconnect();
  });

  test("Metadata's authorized operations are what the principal may do on each topic", async () => {
    const c = await RawClient.connect(broker.port);
    expect((await c.request(saslHandshake, 1, { mechanism: "PLAIN" })).errorCode).toBe(0);
    expect((await c.request(saslAuthenticate, 1, { authBytes: new TextEncoder().encode("\u0000shop\u0000shop-secret") })).errorCode).toBe(0);
    const m = await c.request(metadata, 8, { topics: [{ name: "in-buy", topicId: "" }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true });
    c.close();
    // The shop was granted Write and Describe on in-* (prefixed), nothing on the cluster.
    expect(m.topics[0]!.topicAuthorizedOperations).toBe((1 << 4) | (1 << 8));
    expect(m.clusterAuthorizedOperations).toBe(0);
  });

  test("an idempotent producer needs Write on some topic (or IdempotentWrite on the cluster)", async () => {
    const nobody = as("alice").producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } });
    const admin = as("admin").admin();
    await admin.connect();
    await admin.createAcls({ acl: [{ ...allow("User:alice", AclResourceTypes.TOPIC, "*", AclOperationTypes.ALL), permissionType: AclPermissionTypes.DENY }] });
    await admin.disconnect();
    // alice is denied every topic; her Write grants are gone, so InitProducerId is refused.
    await expect(nobody.connect().then(() => nobody.send({ topic: "feed", messages: [{ value: "y" }] }))).rejects.toThrow(/authoriz/i);
    await nobody.disconnect();
    const shop = as("shop").producer({ idempotent: true, maxInFlightRequests: 1 });
    await shop.connect();
    await shop.send({ topic: "in-buy", messages: [{ value: "idempotent purchase" }] });
    await shop.disconnect();
  });
});
