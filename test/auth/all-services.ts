import { Layer } from "effect"
import type { AnyElysia } from "elysia"
import { Kafka, logLevel } from "kafkajs"
import { campaignService } from "../../src/actors/campaign/definition.ts"
import { fulfillmentService } from "../../src/actors/fulfillment/definition.ts"
import { rewardService } from "../../src/actors/reward/definition.ts"
import { userService } from "../../src/actors/user/definition.ts"
import { buildConsoleApp } from "../../src/console/definition.ts"
import { ConsoleKafka } from "../../src/console/kafka/console-kafka.ts"
import type { Access } from "../../src/auth/access-policy.ts"
import type { ServiceName } from "../../src/config/service-name.ts"
import { silentLog, startBroker } from "../../src/kafka/broker/index.ts"
import { KafkaClient } from "../../src/kafka/kafka-client.ts"
import { EventProducerLive } from "../../src/kafka/producer.ts"
import { anonymousApp, request } from "../support/app.ts"
import { accessToken, bearer } from "../support/credentials.ts"
import { useCasesRuntime } from "../support/layers.ts"
import { peerPort } from "../support/peer.ts"
import { createTestDatabase } from "../support/postgres.ts"
import { publishTenants, registerTenantsIn } from "../support/tenants.ts"
import { tenantA } from "./route-fixtures.ts"

interface BodySchema {
  readonly properties?: Record<string, { readonly type?: unknown }>
  /** A body that is one event or an array of them. */
  readonly anyOf?: ReadonlyArray<BodySchema>
}

export interface Route {
  readonly service: ServiceName
  readonly method: string
  readonly path: string
  readonly access: Access | undefined
  /** The JSON schema of the request body, when the route takes one. */
  readonly body: BodySchema | undefined
}

/**
 * The four services' apps over one database and an in-memory broker, credentials checked for real,
 * and every route as their OpenAPI documents list it.
 */
export const allServices = async () => {
  const database = await createTestDatabase()
  const broker = await startBroker({ port: 0, log: silentLog })
  const kafka = new Kafka({ clientId: "all-services-test", brokers: [broker.address], logLevel: logLevel.NOTHING })
  const client = Layer.succeed(KafkaClient, { kafka, brokers: [broker.address], mode: "embedded", target: broker.address })
  const useCases = Layer.mergeAll(rewardService.useCases, fulfillmentService.useCases, campaignService.useCases, userService.useCases).pipe(
    Layer.provide(EventProducerLive.pipe(Layer.provide(client))),
    Layer.merge(ConsoleKafka.layer.pipe(Layer.provide(client)))
  )
  // The services that ask each other (dry runs, why-not) find the others' apps on ports of their own.
  const [campaignPeer, fulfillmentPeer] = [await peerPort("campaign"), await peerPort("fulfillment")]
  const peers = { campaign: campaignPeer.peers.campaign, fulfillment: fulfillmentPeer.peers.fulfillment }
  const runtime = useCasesRuntime(database.url, useCases as never, { peers })
  const apps: Record<ServiceName, AnyElysia> = {
    campaign: await anonymousApp(runtime, "campaign", campaignService.routes as never),
    reward: await anonymousApp(runtime, "reward", rewardService.routes as never),
    fulfillment: await anonymousApp(runtime, "fulfillment", fulfillmentService.routes as never),
    user: await anonymousApp(runtime, "user", userService.routes as never),
    console: (await runtime.runPromise(buildConsoleApp as never)) as AnyElysia
  }
  campaignPeer.serve(apps.campaign)
  fulfillmentPeer.serve(apps.fulfillment)
  await registerTenantsIn(runtime as never, [tenantA, "tenant-b"])
  await publishTenants(kafka, [tenantA, "tenant-b"])
  const adminHeaders = bearer(await accessToken(runtime, "admin", null))
  const routes: Array<Route> = []
  for (const service of ["campaign", "reward", "fulfillment", "user", "console"] as const) {
    const document = (await (await request(apps[service], "GET", "/swagger/json")).json()) as {
      paths: Record<string, Record<string, { "x-loyaltea-access"?: Access; requestBody?: { content?: Record<string, { schema?: Route["body"] }> } }>>
    }
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        routes.push({ service, method, path, access: operation["x-loyaltea-access"], body: operation.requestBody?.content?.["application/json"]?.schema })
      }
    }
  }
  /** Creates a resource as the platform admin; its id. */
  const create = async (service: string, path: string, body: unknown, idField: string) => {
    const response = await request(apps[service as ServiceName], "POST", path, body, adminHeaders)
    if (response.status !== 201) throw new Error(`POST ${path} → ${response.status} ${await response.text()}`)
    return ((await response.json()) as Record<string, string>)[idField]!
  }
  return {
    database,
    runtime,
    apps,
    routes,
    adminHeaders,
    create,
    close: async () => {
      campaignPeer.stop()
      fulfillmentPeer.stop()
      await runtime.dispose()
      await broker.close()
      await database.drop()
    }
  }
}
