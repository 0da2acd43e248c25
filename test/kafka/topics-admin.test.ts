import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Cause, Effect, Exit, Layer } from "effect"
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } from "kafkajs"
import { AppConfig } from "../../src/config/app-config.ts"
import { KafkaClient } from "../../src/kafka/kafka-client.ts"
import { startBroker, silentLog, type Broker } from "../../src/kafka/broker/index.ts"
import { ensureTopics } from "../../src/kafka/topics-admin.ts"
import { freePort } from "../support/ports.ts"
import { testConfig } from "../support/layers.ts"
import { startKafkaProxy, type KafkaProxy } from "./broker/helpers/kafka-proxy.ts"

const CREATE_TOPICS = 19
const users = new Map([["ops", "ops-password"], ["svc", "svc-password"]])
let broker: Broker
let brokerPort: number
let proxy: KafkaProxy

const kafkaAt = (port: number, username: "ops" | "svc") =>
  new Kafka({ brokers: [`127.0.0.1:${port}`], clientId: "topics-admin-test", logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 }, sasl: { mechanism: "plain", username, password: users.get(username)! } })

/** Runs ensureTopics as `username` through a proxy that records every request (and can hide APIs). */
const ensure = async (topics: ReadonlyArray<string>, username: "ops" | "svc", options: { createTopics?: boolean; hideApis?: number[] } = {}) => {
  proxy.hide(options.hideApis ?? [])
  const since = proxy.requests().length
  const kafka = kafkaAt(proxy.port, username)
  const base = testConfig()
  const layer = Layer.mergeAll(
    Layer.succeed(KafkaClient, { kafka, brokers: [`127.0.0.1:${proxy.port}`], mode: "external", target: "test" }),
    Layer.succeed(AppConfig, testConfig({ kafka: { ...base.kafka, createTopics: options.createTopics ?? true } }))
  )
  const exit = await Effect.runPromiseExit(ensureTopics(topics).pipe(Effect.provide(layer)))
  return { exit, requests: proxy.requests().slice(since) }
}
const failureOf = (exit: Exit.Exit<unknown, unknown>) => (Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "succeeded")

beforeAll(async () => {
  brokerPort = await freePort()
  proxy = await startKafkaProxy({ host: "127.0.0.1", port: brokerPort })
  // Clients reach the broker through the proxy only: metadata points them back at it.
  broker = await startBroker({ port: brokerPort, advertisedPort: proxy.port, log: silentLog, sasl: { users, superUsers: ["User:ops"] } })
  const admin = kafkaAt(brokerPort, "ops").admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: "present-a" }, { topic: "present-b" }] })
  // svc may see every topic but create none.
  await admin.createAcls({ acl: [{ principal: "User:svc", host: "*", resourceType: AclResourceTypes.TOPIC, resourceName: "*", resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.DESCRIBE, permissionType: AclPermissionTypes.ALLOW }] })
  await admin.disconnect()
})
afterAll(async () => {
  await broker.close()
  await proxy.close()
})

describe("start-up on clusters that refuse topic creation", () => {
  test("when every topic exists, start-up goes on without calling CreateTopics", async () => {
    const { exit, requests } = await ensure(["present-a", "present-b"], "svc")
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(requests).not.toContain(CREATE_TOPICS)
  })

  test("refused creation fails with one line naming the missing topics, their partitions and configs", async () => {
    const { exit, requests } = await ensure(["present-a", "missing-x", "tenant"], "svc")
    expect(requests).toContain(CREATE_TOPICS)
    const message = failureOf(exit)
    expect(message).toContain("the cluster refused CreateTopics (TOPIC_AUTHORIZATION_FAILED); create these topics first: missing-x (3 partitions), tenant (3 partitions, cleanup.policy=compact)")
    expect(message).not.toContain("present-a (")
  })

  test("a cluster without CreateTopics gets the same line instead of a crash", async () => {
    const { exit, requests } = await ensure(["present-a", "missing-y"], "ops", { hideApis: [CREATE_TOPICS] })
    expect(requests).not.toContain(CREATE_TOPICS)
    expect(failureOf(exit)).toContain("the cluster does not support CreateTopics; create these topics first: missing-y (3 partitions)")
  })

  test("LOYALTEA_CREATE_TOPICS=false never asks to create: fine when the topics exist, one clear line when not", async () => {
    const present = await ensure(["present-a", "present-b"], "ops", { createTopics: false })
    expect(Exit.isSuccess(present.exit)).toBe(true)
    const missing = await ensure(["present-a", "missing-z"], "ops", { createTopics: false })
    expect(missing.requests).not.toContain(CREATE_TOPICS)
    expect(failureOf(missing.exit)).toContain("LOYALTEA_CREATE_TOPICS=false; create these topics first: missing-z (3 partitions)")
  })

  test("with the right to create, only the missing topics are created, and a second start creates nothing", async () => {
    const first = await ensure(["present-a", "made-here"], "ops")
    expect(first.exit).toEqual(Exit.succeed(["made-here"]))
    const second = await ensure(["present-a", "made-here"], "ops")
    expect(second.exit).toEqual(Exit.succeed([]))
    expect(second.requests).not.toContain(CREATE_TOPICS)
  })
})
