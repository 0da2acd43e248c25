import { Schema } from "effect"
import { Elysia } from "elysia"
import type { ServiceName } from "../config/service-name.ts"
import { standard } from "./schema.ts"

export const Health = Schema.Struct({ status: Schema.Literal("ok"), service: Schema.String })

export const Readiness = Schema.Struct({
  status: Schema.Literals(["ready", "not-ready"]),
  service: Schema.String,
  database: Schema.String,
  pendingMigrations: Schema.Array(Schema.String),
  reason: Schema.optional(Schema.String)
}).annotate({ identifier: "Readiness" })
export type Readiness = typeof Readiness.Type

/** `/health` says the process answers; `/ready` says it can do its work (database reachable, schema current). */
export const healthRoutes = (service: ServiceName, ready: () => Promise<Readiness>) =>
  new Elysia({ name: `loyaltea-health-${service}` })
    .get("/health", () => ({ status: "ok" as const, service }), {
      response: { 200: standard(Health) },
      detail: { tags: ["health"], summary: "Liveness: the process answers", security: [], "x-loyaltea-access": "public" }
    })
    .get("/ready", async ({ set }) => {
      const report = await ready()
      set.status = report.status === "ready" ? 200 : 503
      return report
    }, {
      response: { 200: standard(Readiness), 503: standard(Readiness) },
      detail: { tags: ["health"], summary: "Readiness: database reachable and migrations applied", security: [], "x-loyaltea-access": "public" }
    })
