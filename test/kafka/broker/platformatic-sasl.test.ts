import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AclOperations, AclPermissionTypes, Admin, Producer, ResourcePatternTypes, ResourceTypes, stringSerializers } from "@platformatic/kafka";
import { startBroker, silentLog, type Broker } from "../../../src/kafka/broker/index.ts";

/**
 * @platformatic/kafka speaks only flexible versions, so SASL here goes through SaslAuthenticate v2 and
 * the ACL calls through DescribeAcls/CreateAcls/DeleteAcls v3 (compact encodings, tagged fields).
 */
const users = new Map([["root", "root-secret"], ["writer", "writer-secret"]]);
let broker: Broker;
const closers: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  broker = await startBroker({ port: 0, log: silentLog, sasl: { users, superUsers: ["User:root"] } });
});
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
  await broker.close();
});

type Mechanism = "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
const options = (username: string, mechanism: Mechanism = "SCRAM-SHA-512", password = users.get(username)!) => ({
  clientId: `plt-${username}`,
  bootstrapBrokers: [broker.address],
  retries: 0,
  sasl: { mechanism, username, password },
});
const admin = (username: string, mechanism?: Mechanism, password?: string) => {
  const a = new Admin(options(username, mechanism, password));
  closers.push(() => a.close());
  return a;
};
const producer = (username: string) => {
  const p = new Producer({ ...options(username), serializers: stringSerializers });
  closers.push(() => p.close());
  return p;
};

const writeOn = (topic: string) => ({
  resourceType: ResourceTypes.TOPIC,
  resourceName: topic,
  resourcePatternType: ResourcePatternTypes.LITERAL,
  principal: "User:writer",
  host: "*",
  operation: AclOperations.WRITE,
  permissionType: AclPermissionTypes.ALLOW,
});

describe("@platformatic/kafka against SASL and ACLs", () => {
  for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
    test(`logs in with ${mechanism} (SaslAuthenticate v2) and a wrong password is refused`, async () => {
      expect(await admin("root", mechanism).listTopics()).toBeArray();
      await expect(admin("root", mechanism, "wrong").listTopics()).rejects.toThrow();
    });
  }

  test("creates, describes and deletes ACLs (v3), which decide what a principal may write", async () => {
    const root = admin("root");
    await root.createTopics({ topics: ["plt-allowed", "plt-forbidden"], partitions: 1, replicas: 1 });
    await root.createAcls({ creations: [writeOn("plt-allowed"), { ...writeOn("plt-allowed"), operation: AclOperations.DESCRIBE }] });
    const described = await root.describeAcls({
      filter: { resourceType: ResourceTypes.TOPIC, resourceName: "plt-allowed", resourcePatternType: ResourcePatternTypes.LITERAL, principal: null, host: null, operation: AclOperations.ANY, permissionType: AclPermissionTypes.ANY },
    });
    expect(described.map((r) => [r.resourceName, r.acls.map((a) => a.operation).sort()])).toEqual([["plt-allowed", [AclOperations.WRITE, AclOperations.DESCRIBE].sort()]]);

    const p = producer("writer");
    const sent = await p.send({ messages: [{ topic: "plt-allowed", key: "k", value: "v" }], acks: -1 });
    expect(sent.offsets?.[0]?.offset).toBe(0n);
    await expect(p.send({ messages: [{ topic: "plt-forbidden", key: "k", value: "v" }], acks: -1 })).rejects.toThrow();

    const deleted = await root.deleteAcls({
      filters: [{ resourceType: ResourceTypes.TOPIC, resourceName: "plt-allowed", resourcePatternType: ResourcePatternTypes.LITERAL, principal: "User:writer", host: null, operation: AclOperations.ANY, permissionType: AclPermissionTypes.ANY }],
    });
    expect(deleted.length).toBe(2);
    const after = await root.describeAcls({
      filter: { resourceType: ResourceTypes.ANY, resourceName: null, resourcePatternType: ResourcePatternTypes.ANY, principal: null, host: null, operation: AclOperations.ANY, permissionType: AclPermissionTypes.ANY },
    });
    expect(after).toEqual([]);
  });

  test("a principal without Alter on the cluster may not change ACLs", async () => {
    await expect(admin("writer").createAcls({ creations: [writeOn("plt-forbidden")] })).rejects.toThrow();
  });
});
