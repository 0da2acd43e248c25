import type { Authenticator } from "../auth/authenticator.ts"
import { Elysia } from "elysia"
import { PurchaseImports } from "../actors/fulfillment/imports/service.ts"
import { ImportReport } from "../imports/model.ts"
import { accessControl } from "./access.ts"
import { importJobRoutes, StartImportQuery, importText, postErrors, uploadBody, uploadOf } from "./import-routes.ts"
import type { Runner } from "./run-effect.ts"
import { standard } from "./schema.ts"

const csvExample =
  "eventId,orderId,userId,occurredAt,product,amount,currency\r\n" +
  "order-1001-line-1,order-1001,ada,2025-11-30T09:30:00Z,bread,4.5,EUR\r\n" +
  "order-1001-line-2,order-1001,ada,2025-11-30T09:30:00Z,\"tea, green\",12.25,EUR\r\n" +
  ",order-1002,lee,2025-12-01T17:05:00Z,,30,EUR\r\n"
const ndjsonExample =
  '{"orderId":"order-1001","userId":"ada","occurredAt":"2025-11-30T09:30:00Z","product":"bread","amount":16.75,"currency":"EUR"}\n' +
  '{"eventId":"order-1002","userId":"lee","occurredAt":"2025-12-01T17:05:00Z","amount":30}\n'

/** `POST /imports/purchases` and the import jobs of the fulfillment service. */
export const purchaseImportRoutes = (run: Runner<PurchaseImports | Authenticator>) =>
  new Elysia({ name: "loyaltea-purchase-import-routes" })
    .use(accessControl(run))
    .post("/imports/purchases", ({ body, principal, query, request, scope, set }) => {
      const upload = uploadOf(body, request)
      return run(set, PurchaseImports.use((u) => u.purchases(scope, principal, query.tenant, query.id, upload.format, upload.stream, upload.declared)), 201)
    }, {
      access: "events",
      query: StartImportQuery,
      response: { 201: standard(ImportReport), ...postErrors },
      detail: {
        tags: ["imports"],
        summary: "Import historical purchases from the old system, streamed as CSV or NDJSON, through the same path as POST /events/buy",
        description: "Each row is a `buy` event, validated by the same schema as `POST /events/buy` and produced to topic `buy` with its own `occurredAt`, a batch per produce: " +
          "the whole pipeline (fulfillments, campaigns, rewards) judges it like a live purchase. Its id is its `eventId`, else its `orderId`; the consumers apply an id once " +
          "per tenant, so nothing is credited twice. `applied` counts the rows sent; `duplicates` the rows not sent because an import into the tenant (this one included: " +
          "an event id twice in the file) sent that event id before, so importing the same file again is all duplicates. A purchase that came by `POST /events/buy` " +
          "or straight from Kafka is not known to imports: it is sent (counted as applied) and the consumers credit it once. " +
          importText,
        requestBody: uploadBody(csvExample, ndjsonExample,
          "One row per purchase: CSV (RFC 4180, a header line) with the columns `userId`, `amount` (a decimal ≥ 0, at most 4 places) and `occurredAt` (ISO-8601 with a zone), " +
          "`eventId` or `orderId` (at least one per row), and optionally `product` (default empty), `currency` (ISO 4217) and `tenant` (must be the import's). " +
          "An order of several lines is one row with its total (its `orderId` as the id), or one row per line, each with an `eventId` of its own and the order's `orderId`. " +
          "Or NDJSON, one `buy` event per line without the tenant.")
      }
    })
    .use(importJobRoutes(run, "loyaltea-fulfillment-import-job-routes", {
      job: (scope, tenant, id) => PurchaseImports.use((u) => u.job(scope, tenant, id)),
      refusals: (scope, tenant, id, page) => PurchaseImports.use((u) => u.refusals(scope, tenant, id, page))
    }, "purchases"))
