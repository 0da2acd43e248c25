import type { Authenticator } from "../auth/authenticator.ts"
import { Effect, Schema } from "effect"
import { Elysia } from "elysia"
import { ExportUseCases } from "../actors/reward/exports/service.ts"
import { contentTypeOf, type ExportFormat } from "../actors/reward/exports/format.ts"
import { InvalidInput } from "../domain/errors.ts"
import type { Tenant } from "../domain/primitives.ts"
import { tenantToRead } from "../domain/tenant-guard.ts"
import type { TenantScope } from "../domain/tenant-scope.ts"
import { OccurredAt } from "../events/envelope.ts"
import { accessControl } from "./access.ts"
import { TenantQuery } from "./params.ts"
import type { Runner, StatusSetter } from "./run-effect.ts"
import { errorResponse, input, standard } from "./schema.ts"

const Format = Schema.Literals(["csv", "ndjson"]).annotate({ description: "`csv` (RFC 4180, with a header line; the default) or `ndjson` (one JSON object per line)" })
const PeriodBound = (description: string) => Schema.optionalKey(OccurredAt.annotate({ description, examples: ["2026-01-01T00:00:00Z"] }))
const LedgerExportQuery = input(Schema.Struct({
  ...TenantQuery,
  from: PeriodBound("Entries whose event time is at or after this"),
  to: PeriodBound("Entries whose event time is before this"),
  format: Schema.optionalKey(Format)
}), "query")
const BalancesExportQuery = input(Schema.Struct({ ...TenantQuery, format: Schema.optionalKey(Format) }), "query")

const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 422: errorResponse }
const streamed = (description: string) => standard(Schema.String.annotate({ description }))

const periodChecked = (from: string | undefined, to: string | undefined) =>
  from !== undefined && to !== undefined && Date.parse(from) >= Date.parse(to)
    ? Effect.fail(new InvalidInput({ field: "to", reason: "must be after from" }))
    : Effect.void

const download = (stream: ReadableStream<Uint8Array>, format: ExportFormat, name: string) =>
  new Response(stream, {
    headers: {
      "content-type": contentTypeOf[format],
      "content-disposition": `attachment; filename="${name}.${format === "csv" ? "csv" : "ndjson"}"`,
      "cache-control": "no-store"
    }
  })

/** One tenant's export as a download: the tenant checked against the caller's scope first. */
const exported = async <E>(
  run: Runner<ExportUseCases | Authenticator>,
  set: StatusSetter,
  scope: TenantScope,
  requested: Tenant | undefined,
  format: ExportFormat,
  name: string,
  make: (tenant: string) => Effect.Effect<ReadableStream<Uint8Array>, E, ExportUseCases>
) => {
  const stream = await run(set, tenantToRead(scope, requested, "an export is of one tenant").pipe(Effect.flatMap(make)))
  return stream instanceof ReadableStream ? download(stream, format, name) : stream
}

/** `GET /exports/ledger` and `GET /exports/balances`: a tenant's data, streamed as CSV or NDJSON. */
export const exportRoutes = (run: Runner<ExportUseCases | Authenticator>) =>
  new Elysia({ name: "loyaltea-export-routes" })
    .use(accessControl(run))
    .get("/exports/ledger", ({ query, scope, set }) => {
      const format = query.format ?? "csv"
      return exported(run, set, scope, query.tenant, format, "ledger", (tenant) =>
        periodChecked(query.from, query.to).pipe(Effect.andThen(ExportUseCases.use((u) => u.ledger(tenant, { from: query.from, to: query.to }, format)))))
    }, {
      access: "read",
      query: LedgerExportQuery,
      response: { 200: streamed("The ledger entries, oldest first: id, tenant, userId, kind, amount and balanceAfter (exact decimals), occurredAt, createdAt, rewardId, campaignId, eventId, causeEventId, orderId, redemptionId, reason"), ...errors },
      detail: {
        tags: ["exports"],
        summary: "Export a tenant's ledger for a period of event time, streamed as CSV or NDJSON",
        description: "Read a page at a time as the client takes it, so memory stays flat whatever the size. The period is on each entry's event time " +
          "(its write time for entries without one), `from` inclusive, `to` exclusive.",
        responses: { 200: { description: "The export", content: { "text/csv": { schema: { type: "string" } }, "application/x-ndjson": { schema: { type: "string" } } } } }
      }
    })
    .get("/exports/balances", ({ query, scope, set }) => {
      const format = query.format ?? "csv"
      return exported(run, set, scope, query.tenant, format, "balances", (tenant) => ExportUseCases.use((u) => u.balances(tenant, format)))
    }, {
      access: "read",
      query: BalancesExportQuery,
      response: { 200: streamed("Every balance of the tenant, by user id: tenant, userId, points (exact decimal), updatedAt"), ...errors },
      detail: {
        tags: ["exports"],
        summary: "Export a tenant's balances, streamed as CSV or NDJSON",
        responses: { 200: { description: "The export", content: { "text/csv": { schema: { type: "string" } }, "application/x-ndjson": { schema: { type: "string" } } } } }
      }
    })
