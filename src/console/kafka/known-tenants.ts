import { Effect } from "effect"
import { InvalidInput } from "../../domain/errors.ts"
import { requireTenant } from "../../domain/tenant-guard.ts"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { Topics } from "../../events/topics.ts"
import { ConsoleKafka, kafkaCall } from "./console-kafka.ts"
import { readRanges } from "./read-ranges.ts"
import { jsonOf } from "./record.ts"

// A tenant created a moment ago may not be on the topic yet: looked for once more after this.
const arrivalWaitMs = 1000

/** Reads the `tenant` topic (compacted, one record per tenant) into the console's set of known tenants. */
const readTenants = Effect.gen(function*() {
  const { admin, knownTenants } = yield* ConsoleKafka
  if (!(yield* kafkaCall(() => admin.listTopics())).includes(Topics.tenant)) return
  const partitions = yield* kafkaCall(() => admin.fetchTopicOffsets(Topics.tenant))
  const records = yield* readRanges(partitions.map((p) => ({ topic: Topics.tenant, partition: p.partition, from: BigInt(p.low), to: BigInt(p.high) })))
  for (const record of records) {
    const tenant = jsonOf(record.value)?.tenant
    if (typeof tenant === "string") knownTenants.add(tenant)
  }
})

/**
 * A write naming `tenant`, as the services judge one: outside the caller's scope 403 (whether or
 * not it exists), inside it 422 naming the field when the user service never published it.
 * Tenants are never deleted, so one seen once is known for good.
 */
export const writableTenant = (scope: TenantScope, tenant: string) =>
  Effect.gen(function*() {
    yield* requireTenant(scope, tenant)
    const { knownTenants } = yield* ConsoleKafka
    if (knownTenants.has(tenant)) return
    yield* readTenants
    if (knownTenants.has(tenant)) return
    yield* Effect.sleep(arrivalWaitMs)
    yield* readTenants
    if (!knownTenants.has(tenant)) return yield* new InvalidInput({ field: "tenant", reason: `no tenant ${tenant}` })
  })
