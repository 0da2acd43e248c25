import { Clock, Context, Effect, Layer } from "effect"
import type { Principal } from "../../../auth/principal.ts"
import { Database } from "../../../db/database.ts"
import type { TenantScope } from "../../../domain/tenant-scope.ts"
import { makeImportJobs } from "../../../imports/jobs.ts"
import type { Tenant } from "../../../domain/primitives.ts"
import type { ImportFormat } from "../../../imports/records.ts"
import type { ImportPlan } from "../../../imports/runner.ts"
import { EventProducer } from "../../../kafka/producer.ts"
import { publishCommitted } from "../../../kafka/publish-committed.ts"
import { actorOf } from "../lifecycle/service.ts"
import { applyOpenings } from "./opening-apply.ts"
import { decodeOpening, openingColumns, type OpeningRow } from "./opening-row.ts"

const make = Effect.gen(function*() {
  const db = yield* Database
  const producer = yield* EventProducer
  const jobs = yield* makeImportJobs("reward")

  const plan = (tenant: string, principal: Principal | undefined, startedAt: number): ImportPlan<OpeningRow, never> => ({
    kind: "opening-balances",
    schema: "reward",
    ...openingColumns,
    decode: decodeOpening(tenant),
    apply: (rows, commit) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const done = yield* db.transaction((tx) => applyOpenings(tx, { tenant, startedAt, now, actor: actorOf(principal) }, rows, commit))
        // Never fails: a notification Kafka does not take now stays in the outbox for the relay.
        yield* publishCommitted(db, producer, "reward", done.outboxId, done.messages)
        return done.outcome
      })
  })

  return {
    /**
     * Opening balances from the old system, read from `body` as it arrives and applied a batch
     * at a time; the answer once all of it is applied.
     */
    openingBalances: (scope: TenantScope, principal: Principal | undefined, asked: Tenant | undefined, id: string | undefined, format: ImportFormat, body: ReadableStream<Uint8Array>, declaredBytes: number | undefined, batchSize?: number) =>
      jobs.start(scope, principal, { tenant: asked, id, format, body, declaredBytes, ...(batchSize === undefined ? {} : { batchSize }) }, (tenant, startedAt) => plan(tenant, principal, startedAt)),
    job: jobs.job,
    refusals: jobs.refusals
  }
})

/** Imports into the reward service: users' opening balances. */
export class OpeningImports extends Context.Service<OpeningImports, Effect.Success<typeof make>>()("loyaltea/reward/OpeningImports") {
  static readonly layer = Layer.effect(OpeningImports, make)
}
