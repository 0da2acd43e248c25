import { Schema } from "effect"
import { Elysia } from "elysia"
import type { ServiceName } from "../config/service-name.ts"
import { standard } from "./schema.ts"

export const Health = Schema.Struct({ status: Schema.Literal("ok"), service: Schema.String })

const DatabaseReadiness = Schema.Struct({
  status: Schema.Literals(["ok", "unreachable", "migrations-pending", "not-used"]).annotate({
    description: "`unreachable`: no answer within a few seconds; `not-used`: the process keeps no data (the console alone)"
  }),
  mode: Schema.Literals(["embedded", "external", "none"]),
  pendingMigrations: Schema.Array(Schema.String),
  reason: Schema.optional(Schema.String)
}).annotate({ identifier: "DatabaseReadiness" })

const KafkaReadiness = Schema.Struct({
  status: Schema.Literals(["ok", "unreachable", "not-used"]).annotate({ description: "`not-used`: the service neither consumes nor produces events" }),
  reason: Schema.optional(Schema.String)
}).annotate({ identifier: "KafkaReadiness" })

const ConsumerMember = Schema.Struct({
  group: Schema.String,
  member: Schema.Int,
  state: Schema.Literals(["starting", "running", "stalled", "restarting"]).annotate({
    description: "`stalled`: a batch made no progress for longer than the stall bound; `restarting`: its supervisor is replacing it"
  }),
  since: Schema.String.annotate({ description: "When it entered this state (ISO 8601)" }),
  reason: Schema.optional(Schema.String)
}).annotate({ identifier: "ConsumerMember" })

const ConsumersReadiness = Schema.Struct({
  status: Schema.Literals(["ok", "starting", "stalled", "restarting", "none"]).annotate({
    description: "The least healthy member's state (`ok`: all running); `none`: the service has no consumer"
  }),
  members: Schema.Array(ConsumerMember)
}).annotate({ identifier: "ConsumersReadiness" })

export const Readiness = Schema.Struct({
  status: Schema.Literals(["ready", "not-ready"]),
  service: Schema.String,
  database: DatabaseReadiness,
  kafka: KafkaReadiness,
  consumers: ConsumersReadiness,
  reason: Schema.optional(Schema.String.annotate({ description: "Every check that failed, in one line" }))
}).annotate({ identifier: "Readiness" })
export type Readiness = typeof Readiness.Type

const rootDetail = {
  tags: ["health"],
  summary: "A browser opening the service's address lands on its Swagger UI",
  security: [],
  "x-loyaltea-access": "public",
  responses: { "302": { description: "To Swagger UI", headers: { Location: { description: "/swagger", schema: { type: "string" as const } } } } }
}

/**
 * `/health` says the process answers; `/ready` says it can do its work: database reachable with
 * its schema current, and, for a service that uses events, Kafka reachable and every consumer
 * running (none stuck or restarting). 503 names each check that failed.
 */
const rootRedirect = new Elysia({ name: "loyaltea-root-to-swagger" }).get("/", ({ set }) => {
  set.status = 302
  set.headers.location = "/swagger"
}, { detail: rootDetail })

export const healthRoutes = (service: ServiceName, ready: () => Promise<Readiness>, rootToSwagger = true) =>
  new Elysia({ name: `loyaltea-health-${service}` })
    .use(rootToSwagger ? rootRedirect : new Elysia())
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
      detail: {
        tags: ["health"],
        summary: "Readiness: database reachable with migrations applied; Kafka reachable and every consumer running, where the service uses them",
        security: [],
        "x-loyaltea-access": "public"
      }
    })
