import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Admin } from "@platformatic/kafka";
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ConfigResourceTypes, Kafka, logLevel, ResourcePatternTypes } from "kafkajs";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";

/**
 * The admin APIs under ACLs, as Kafka judges them: DescribeConfigs/AlterConfigs on the topic or the
 * cluster, Alter for CreatePartitions, Delete for DeleteRecords, Delete on the group and Read on the topic
 * for OffsetDelete, Describe on the cluster for DescribeLogDirs, Read for DescribeProducers.
 */
const users = new Map([
  ["root", "root-secret"],
  ["ops", "ops-secret"],
  ["shop", "shop-secret"],
]);
let broker: Broker;
beforeAll(async () => {
  broker = await startBroker({ port: 0, log: silentLog, sasl: { users, superUsers: ["User:root"] } });
  const root = kafkajsAs("root").admin();
  await root.connect();
  await root.createTopics({ topics: [{ topic: "ops-orders" }, { topic: "private" }] });
  const allow = (resourceType: AclResourceTypes, resourceName: string, operation: AclOperationTypes, pattern = ResourcePatternTypes.LITERAL) => ({
    principal: "User:ops", host: "*", resourceType, resourceName, resourcePatternType: pattern, operation, permissionType: AclPermissionTypes.ALLOW,
  });
  await root.createAcls({
    acl: [
      allow(AclResourceTypes.TOPIC, "ops-", AclOperationTypes.ALTER_CONFIGS, ResourcePatternTypes.PREFIXED),
      allow(AclResourceTypes.TOPIC, "ops-", AclOperationTypes.ALTER, ResourcePatternTypes.PREFIXED),
      allow(AclResourceTypes.TOPIC, "ops-", AclOperationTypes.DELETE, ResourcePatternTypes.PREFIXED),
      allow(AclResourceTypes.TOPIC, "ops-", AclOperationTypes.READ, ResourcePatternTypes.PREFIXED),
      allow(AclResourceTypes.GROUP, "ops-readers", AclOperationTypes.DELETE),
      { principal: "User:shop", host: "*", resourceType: AclResourceTypes.TOPIC, resourceName: "ops-orders", resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW },
    ],
  });
  await root.setOffsets({ groupId: "ops-readers", topic: "ops-orders", partitions: [{ partition: 0, offset: "0" }] });
  await root.disconnect();
}, 20_000);
afterAll(async () => {
  await broker.close();
});

function kafkajsAs(username: string) {
  return new Kafka({ brokers: [broker.address], clientId: `acl-${username}`, sasl: { mechanism: "scram-sha-256", username, password: users.get(username)! }, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
}
async function kafkajsAdmin<T>(username: string, body: (admin: ReturnType<Kafka["admin"]>) => Promise<T>): Promise<T> {
  const admin = kafkajsAs(username).admin();
  await admin.connect();
  try {
    return await body(admin);
  } finally {
    await admin.disconnect();
  }
}
async function platformaticAs<T>(username: string, body: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ clientId: `plt-acl-${username}`, bootstrapBrokers: [broker.address], retries: 0, sasl: { mechanism: "SCRAM-SHA-256", username, password: users.get(username)! } });
  try {
    return await body(admin);
  } finally {
    await admin.close();
  }
}
type Failure = { errors?: Failure[]; apiId?: string; type?: string; cause?: Failure; partitions?: { error: Failure }[] };
/** The protocol error names anywhere in a client's (nested) error. */
const codes = (thrown: unknown): string[] => {
  const e = thrown as Failure | undefined;
  return e ? [...(e.apiId ? [e.apiId] : []), ...(e.type ? [e.type] : []), ...(e.errors ?? []).flatMap(codes), ...(e.cause ? codes(e.cause) : []), ...(e.partitions ?? []).flatMap((p) => codes(p.error))] : [];
};

describe("admin APIs under ACLs", () => {
  test("DescribeConfigs: AlterConfigs on a topic implies DescribeConfigs; other topics and the broker are refused", async () => {
    await kafkajsAdmin("ops", async (admin) => {
      const mine = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "ops-orders" }] });
      expect(mine.resources[0]!.errorCode).toBe(0);
      expect(codes(await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "private" }] }).catch((e: Failure) => e))).toContain("TOPIC_AUTHORIZATION_FAILED");
      // A topic that does not exist answers the same as one that is not visible.
      expect(codes(await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "no-such" }] }).catch((e: Failure) => e))).toContain("TOPIC_AUTHORIZATION_FAILED");
      expect(codes(await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: "0" }] }).catch((e: Failure) => e))).toContain("CLUSTER_AUTHORIZATION_FAILED");
    });
  });

  test("AlterConfigs, CreatePartitions and DeleteRecords need AlterConfigs, Alter and Delete on the topic", async () => {
    await kafkajsAdmin("shop", async (admin) => {
      const alter = await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "ops-orders", configEntries: [{ name: "retention.ms", value: "1000" }] }] }).catch((e: Failure) => e);
      expect(codes(alter)).toContain("TOPIC_AUTHORIZATION_FAILED");
      expect(codes(await admin.createPartitions({ topicPartitions: [{ topic: "ops-orders", count: 4 }] }).catch((e: Failure) => e))).toContain("TOPIC_AUTHORIZATION_FAILED");
    });
    await kafkajsAdmin("ops", async (admin) => {
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "ops-orders", configEntries: [{ name: "retention.ms", value: "1000" }] }] });
      await admin.createPartitions({ topicPartitions: [{ topic: "ops-orders", count: 2 }] });
      expect(codes(await admin.createPartitions({ topicPartitions: [{ topic: "private", count: 2 }] }).catch((e: Failure) => e))).toContain("TOPIC_AUTHORIZATION_FAILED");
    });
    await platformaticAs("shop", async (admin) => {
      const refused = await admin.deleteRecords({ topics: [{ name: "ops-orders", partitions: [{ partition: 0, offset: -1n }] }] }).catch((e: Failure) => e);
      expect(codes(refused)).toContain("TOPIC_AUTHORIZATION_FAILED");
    });
    await platformaticAs("ops", async (admin) => {
      expect(await admin.deleteRecords({ topics: [{ name: "ops-orders", partitions: [{ partition: 0, offset: -1n }] }] })).toEqual([{ name: "ops-orders", partitions: [{ partition: 0, lowWatermark: 0n }] }]);
    });
    await kafkajsAdmin("root", async (admin) => {
      const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "private" }] });
      expect(configs.resources[0]!.configEntries.find((c) => c.configName === "retention.ms")!.configValue).toBe("604800000");
      expect((await admin.fetchTopicMetadata({ topics: ["private"] })).topics[0]!.partitions.length).toBe(1);
    });
  });

  test("OffsetDelete needs Delete on the group and Read on the topic; DescribeLogDirs needs Describe on the cluster; DescribeProducers Read", async () => {
    await platformaticAs("shop", async (admin) => {
      const refused = await admin.deleteConsumerGroupOffsets({ groupId: "ops-readers", topics: [{ name: "ops-orders", partitionIndexes: [0] }] }).catch((e: Failure) => e);
      expect(codes(refused)).toContain("GROUP_AUTHORIZATION_FAILED");
      const dirs = await admin.describeLogDirs({ topics: [{ name: "ops-orders", partitions: [0] }] }).catch((e: Failure) => e);
      expect(codes(dirs)).toContain("CLUSTER_AUTHORIZATION_FAILED");
    });
    await platformaticAs("ops", async (admin) => {
      await admin.deleteConsumerGroupOffsets({ groupId: "ops-readers", topics: [{ name: "ops-orders", partitionIndexes: [0] }] });
    });
    await platformaticAs("root", async (admin) => {
      const left = await admin.listConsumerGroupOffsets({ groups: ["ops-readers"] });
      expect(left[0]!.topics.flatMap((t) => t.partitions.map((p) => p.committedOffset))).not.toContain(0n);
      const dirs = await admin.describeLogDirs({ topics: [{ name: "ops-orders", partitions: [0] }] });
      expect(dirs[0]!.results.length).toBe(1);
    });
  });
});
