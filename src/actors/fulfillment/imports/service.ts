import { Context, Effect, Layer } from "effect"
import type { Principal } from "../../../auth/principal.ts"
import { Database } from "../../../db/database.ts"
import type { Tenant } from "../../../domain/primitives.ts"
import type { TenantScope } from "../../../domain/tenant-scope.ts"
import { makeImportJobs } from "../../../imports/jobs.ts"
import type { ImportFormat } from "../../../imports/records.ts"
import type { ImportPlan } from "../../../imports/runner.ts"
import { EventIngestion } from "../ingestion.ts"
import { firstImports } from "./imported-purchases.ts"
import { decodePurchase, type IdentifiedBuy, purchaseColumns } from "./purchase-row.ts"

const make = Effect.gen(function*() {
  const db = yield* Database
  const ingestion = yield* EventIngestion
  const jobs = yield* makeImportJobs("fulfillment")

  // Each batch's new purchases are recorded as imported and sent to `buy` as one produce inside one
  // transaction, which commits with the job's counts only once the produce has succeeded: a crash
  // between the two sends them again on the next import, and the consumers' per-tenant dedupe by
  // event id credits nothing twice. What an earlier import sent is a duplicate, not sent again.
  const plan = (tenant: string): ImportPlan<IdentifiedBuy, Effect.Error<ReturnType<typeof ingestion.sendBuys>>> => ({
    kind: "purchases",
    schema: "fulfillment",
    ...purchaseColumns,
    decode: decodePurchase(tenant),
    apply: (rows, commit) =>
      db.transaction((tx) =>
        Effect.gen(function*() {
          const { fresh, duplicates } = yield* firstImports(tx, rows.map(({ row }) => row))
          if (fresh.length > 0) yield* ingestion.sendBuys(fresh)
          const applied = { applied: fresh.length, duplicates, refusals: [] }
          yield* commit(tx, applied)
          return applied
        })
      )
  })

  return {
    /** Historical purchases, read from `body` as it arrives, sent to `buy` a batch at a time; the answer once all of it is sent. */
    purchases: (scope: TenantScope, principal: Principal | undefined, asked: Tenant | undefined, id: string | undefined, format: ImportFormat, body: ReadableStream<Uint8Array>, declaredBytes: number | undefined, batchSize?: number) =>
      jobs.start(scope, principal, { tenant: asked, id, format, body, declaredBytes, ...(batchSize === undefined ? {} : { batchSize }) }, plan),
    job: jobs.job,
    refusals: jobs.refusals
  }
})

/** Imports into the fulfillment service: historical purchases, through the same path as `POST /events/buy`. */
export class PurchaseImports extends Context.Service<PurchaseImports, Effect.Success<typeof make>>()("loyaltea/fulfillment/PurchaseImports") {
  static readonly layer = Layer.effect(PurchaseImports, make)
}
