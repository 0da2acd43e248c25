import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { randomUUID } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes, type SASLOptions } from "kafkajs"
import { aclGrants } from "../../src/kafka/acls.ts"
import { startBrokerProcess, type BrokerProcess } from "../support/broker-process.ts"
import { api, eventually } from "../support/flow.ts"
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts"
import { type LoyalteaProcess, spawnLoyaltea, waitStarted } from "../support/process.ts"

const tenant = "sasl-shop"
const passwords = { admin: "admin-password", loyaltea: "services-password", "shop-sasl": "shop-password" } as const
const operation = { Read: AclOperationTypes.READ, Write: AclOperationTypes.WRITE, Describe: AclOperationTypes.DESCRIBE, Create: AclOperationTypes.CREATE } as const

const kafkaAs = (brokers: string, username: keyof typeof passwords) =>
  new Kafka({ brokers: [brokers], clientId: `test-${username}`, logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100 }, sasl: { mechanism: "scram-sha-256", username, password: passwords[username] } as SASLOptions })

/**
 * Loyaltea against a broker that authenticates (SCRAM) and authorizes every request, with exactly the
 * ACLs `bun run kafka-acls` prints: the services run the whole chain as `User:loyaltea`, a shop's
 * principal may write purchases but not points.
 */
describe("Loyaltea on a broker with SASL and the ACLs of `bun run kafka-acls`", () => {
  let database: TestDatabase
  let broker: BrokerProcess
  let lt: LoyalteaProcess

  beforeAll(async () => {
    database = await createTestDatabase()
    const dir = mkdtempSync(join(tmpdir(), "loyaltea-sasl-"))
    const usersFile = join(dir, "users")
    writeFileSync(usersFile, Object.entries(passwords).map(([name, password]) => `${name}:${password}`).join("\n"))
    broker = await startBrokerProcess({ args: ["--sasl-users-file", usersFile, "--super-users", "User:admin"] })
    const admin = kafkaAs(broker.address, "admin").admin()
    await admin.connect()
    const grants = aclGrants({ services: "User:loyaltea", shops: ["User:shop-sasl"], readers: [], groupPrefix: "loyaltea-" })
    await admin.createAcls({
      acl: grants.flatMap((grant) =>
        grant.operations.flatMap((op) =>
          ("topics" in grant ? grant.topics.map((name) => [AclResourceTypes.TOPIC, name, ResourcePatternTypes.LITERAL] as const) : [[AclResourceTypes.GROUP, grant.groupPrefix, ResourcePatternTypes.PREFIXED] as const]).map(
            ([resourceType, resourceName, resourcePatternType]) => ({ principal: grant.principal, host: "*", operation: operation[op], permissionType: AclPermissionTypes.ALLOW, resourceType, resourceName, resourcePatternType })
          )
        )
      )
    })
    await admin.disconnect()
    lt = await spawnLoyaltea({
      DATABASE_URL: database.url,
      KAFKA_BROKERS: broker.address,
      KAFKA_SASL_MECHANISM: "scram-sha-512",
      KAFKA_SASL_USERNAME: "loyaltea",
      KAFKA_SASL_PASSWORD: passwords.loyaltea,
      LOG_LEVEL: "warn"
    })
    await waitStarted(lt)
  }, 120_000)
  afterAll(async () => {
    await lt?.stop()
    await broker?.stop()
    await database?.drop()
  })

  test("a purchase the shop sends as its own principal is credited by the services", async () => {
    const h = api(lt)
    const [reward, rule] = [randomUUID(), randomUUID()]
    await h.create("user", "/tenants", { id: tenant, name: "SASL shop" })
    await h.create("reward", "/rewards/", { tenant, reward_id: reward, reward_points: 7 })
    await h.create("fulfillment", "/buy-fulfillments/", { tenant, fulfillment_id: rule, name: "tea", product: "tea", amount: 0 })
    await h.create("campaign", "/campaign", { tenant, name: "tea", fulfillments: [rule], rewards: [reward] })
    const shop = kafkaAs(broker.address, "shop-sasl").producer()
    await shop.connect()
    const purchase = { tenant, product: "tea", amount: 3, userId: "ann", occurredAt: new Date().toISOString(), eventId: randomUUID() }
    await shop.send({ topic: "buy", acks: -1, messages: [{ key: `${tenant}:ann`, value: JSON.stringify(purchase) }] })
    await shop.disconnect()
    const balances = await eventually(() => h.balances(tenant), (b) => b.ann === 7, 45_000)
    expect(balances.ann).toBe(7)
  }, 60_000)

  test("the shop's principal gets TOPIC_AUTHORIZATION_FAILED on `reward` and the topic stays as it was", async () => {
    const shop = kafkaAs(broker.address, "shop-sasl").producer({ retry: { retries: 0 } })
    await shop.connect()
    const forged = { tenant, userId: "ann", points: 1000, eventId: randomUUID() }
    const error = await shop.send({ topic: "reward", acks: -1, messages: [{ key: `${tenant}:ann`, value: JSON.stringify(forged) }] }).then(() => null, (e: { type?: string; cause?: { type?: string } }) => e.type ?? e.cause?.type)
    await shop.disconnect()
    expect(error).toBe("TOPIC_AUTHORIZATION_FAILED")
    await Bun.sleep(500)
    expect((await api(lt).balances(tenant)).ann).toBe(7)
  }, 30_000)

  test("a wrong password is refused", async () => {
    const wrong = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: "scram-sha-512", username: "loyaltea", password: "guess" } })
    const admin = wrong.admin()
    await expect(admin.connect()).rejects.toThrow(/SASL|authentication/i)
  })
})

describe("the embedded broker with SASL users (LOYALTEA_BROKER_SASL_USERS)", () => {
  let database: TestDatabase
  let lt: LoyalteaProcess
  beforeAll(async () => {
    database = await createTestDatabase()
    lt = await spawnLoyaltea({
      DATABASE_URL: database.url,
      LOYALTEA_BROKER_SASL_USERS: `loyaltea:${passwords.loyaltea},shop-sasl:${passwords["shop-sasl"]}`,
      KAFKA_SASL_MECHANISM: "plain",
      KAFKA_SASL_USERNAME: "loyaltea",
      KAFKA_SASL_PASSWORD: passwords.loyaltea,
      LOG_LEVEL: "warn"
    })
    await waitStarted(lt)
  }, 120_000)
  afterAll(async () => {
    await lt?.stop()
    await database?.drop()
  })

  test("the services log in as super users; other principals see only what ACLs grant; no login, no service", async () => {
    const brokers = `127.0.0.1:${lt.ports.broker}`
    const services = kafkaAs(brokers, "loyaltea").admin()
    await services.connect()
    expect(await services.listTopics()).toContain("reward")
    await services.disconnect()
    const shop = kafkaAs(brokers, "shop-sasl").admin()
    await shop.connect()
    expect(await shop.listTopics()).toEqual([])
    await shop.disconnect()
    const anonymous = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin()
    await expect(anonymous.connect().then(() => anonymous.listTopics())).rejects.toThrow()
    await anonymous.disconnect()
  }, 30_000)
})

describe("SASL settings that cannot work are refused at start", () => {
  test("users for the embedded broker without KAFKA_SASL_* for the services: one line saying what is missing", async () => {
    const database = await createTestDatabase()
    const lt = await spawnLoyaltea({ DATABASE_URL: database.url, LOYALTEA_BROKER_SASL_USERS: "shop:secret", LOG_LEVEL: "warn" })
    const code = await Promise.race([lt.exited, Bun.sleep(60_000).then(() => "still running")])
    if (code === "still running") await lt.stop("SIGKILL")
    await database.drop()
    expect(code).not.toBe(0)
    expect(lt.output()).toContain("the services need KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
    expect(lt.output()).not.toContain("secret")
  }, 90_000)

  test("the standalone broker takes its users from BROKER_SASL_USERS", async () => {
    const broker = await startBrokerProcess({ env: { BROKER_SASL_USERS: "ops:ops-password" }, args: ["--super-users", "User:ops"] })
    try {
      const ok = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: "scram-sha-256", username: "ops", password: "ops-password" } }).admin()
      await ok.connect()
      expect(await ok.listTopics()).toEqual([])
      await ok.disconnect()
      const anonymous = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin()
      await expect(anonymous.connect().then(() => anonymous.listTopics())).rejects.toThrow()
      await anonymous.disconnect()
    } finally {
      await broker.stop()
    }
  }, 30_000)
})
