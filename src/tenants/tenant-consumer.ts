import { Effect } from "effect"
import { TenantEvent } from "../events/tenant.ts"
import { Topics } from "../events/topics.ts"
import type { ServiceSchema } from "../kafka/service-schema.ts"
import { startSupervisedConsumer } from "../kafka/supervised-consumer.ts"
import { topicHandler } from "../kafka/topic-handler.ts"
import { upsertTenants } from "./mirror-repo.ts"

/** `tenant` → the service's own copy of the tenants; it emits nothing. */
export const tenantHandler = (schema: ServiceSchema) =>
  topicHandler({
    topic: Topics.tenant,
    schema: TenantEvent,
    eventIdOf: (event) => event.eventId,
    tenantOf: (event) => event.tenant,
    // These events are what makes a tenant known.
    knownTenantsOnly: false,
    handle: (tx, consumed) => upsertTenants(tx, schema, consumed.map((c) => c.event)).pipe(Effect.as([]))
  })

/**
 * Keeps `<schema>.tenants` in step with the `tenant` topic, in a group of its own: its fetches never
 * wait behind the service's other batches, which may themselves be waiting for a new tenant.
 */
export const startTenantConsumer = (schema: ServiceSchema) =>
  startSupervisedConsumer({ schema, group: "tenants", members: 1, handlers: [tenantHandler(schema)] })
