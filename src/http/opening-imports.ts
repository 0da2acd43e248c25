import type { Authenticator } from "../auth/authenticator.ts"
import { Elysia } from "elysia"
import { OpeningImports } from "../actors/reward/imports/service.ts"
import { ImportReport } from "../imports/model.ts"
import { accessControl } from "./access.ts"
import { importJobRoutes, StartImportQuery, importText, postErrors, uploadBody, uploadOf } from "./import-routes.ts"
import type { Runner } from "./run-effect.ts"
import { standard } from "./schema.ts"

const csvExample = "userId,points,occurredAt,reason\r\nada,1250.5,2025-11-30T00:00:00Z,balance from the old shop\r\n\"lee, the second\",0.0001,,\r\n"
const ndjsonExample = '{"userId":"ada","points":"1250.5","occurredAt":"2025-11-30T00:00:00Z","reason":"balance from the old shop"}\n{"userId":"lee","points":"0.0001"}\n'

/** `POST /imports/opening-balances` and the import jobs of the reward service. */
export const openingImportRoutes = (run: Runner<OpeningImports | Authenticator>) =>
  new Elysia({ name: "loyaltea-opening-import-routes" })
    .use(accessControl(run))
    .post("/imports/opening-balances", ({ body, principal, query, request, scope, set }) => {
      const upload = uploadOf(body, request)
      return run(set, OpeningImports.use((u) => u.openingBalances(scope, principal, query.tenant, query.id, upload.format, upload.stream, upload.declared)), 201)
    }, {
      access: "write",
      query: StartImportQuery,
      response: { 201: standard(ImportReport), ...postErrors },
      detail: {
        tags: ["imports"],
        summary: "Import users' opening balances from the old system, streamed as CSV or NDJSON",
        description: "Each user's opening balance is applied once per tenant, as a ledger entry of kind `opening` and a lot `opening:<userId>`, pending and expiring " +
          "as the tenant's program says from its `occurredAt` (default: the import's start) and counted as earned for the tier. The same balance again is a duplicate; " +
          "a different one for a user who has one is refused. " + importText,
        requestBody: uploadBody(csvExample, ndjsonExample,
          "CSV (RFC 4180, a header line) with the columns `userId`, `points` (an exact decimal above 0, at most 4 places), and optionally `occurredAt` (ISO-8601 with a zone), " +
          "`reason` and `tenant` (must be the import's); or NDJSON, one object per line with the same fields.")
      }
    })
    .use(importJobRoutes(run, "loyaltea-reward-import-job-routes", {
      job: (scope, tenant, id) => OpeningImports.use((u) => u.job(scope, tenant, id)),
      refusals: (scope, tenant, id, page) => OpeningImports.use((u) => u.refusals(scope, tenant, id, page))
    }, "opening balances"))
