import { Effect, Schema } from "effect"
import type { TenantScope } from "../../domain/tenant-scope.ts"
import { offsetEventId } from "../../events/event-id.ts"
import { eventKey } from "../../events/topics.ts"
import { ConsoleKafka, kafkaCall } from "./console-kafka.ts"
import { writableTenant } from "./known-tenants.ts"

export const Produced = Schema.Struct({
  topic: Schema.String,
  partition: Schema.Int,
  offset: Schema.String,
  /** The id the consumers know it by: its own `eventId`, else the one derived from where it sits. */
  eventId: Schema.String
}).annotate({ identifier: "Produced" })
export type Produced = typeof Produced.Type

interface IngressEvent {
  readonly tenant: string
  readonly userId: string
  readonly eventId?: string
}

/** Produces one test event of an existing tenant to an ingress topic, exactly as a shop's producer would (key `tenant:userId`). */
export const sendTestEvent = (scope: TenantScope, topic: string, event: IngressEvent) =>
  Effect.gen(function*() {
    yield* writableTenant(scope, event.tenant)
    const { producer } = yield* ConsoleKafka
    const [sent] = yield* kafkaCall(() =>
      producer.send({ topic, acks: -1, messages: [{ key: eventKey(event.tenant, event.userId), value: JSON.stringify(event) }] }))
    const partition = sent?.partition ?? 0
    const offset = sent?.baseOffset ?? "-1"
    return { topic, partition, offset, eventId: event.eventId ?? offsetEventId(topic, partition, offset) } satisfies Produced
  })
