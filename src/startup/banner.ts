import { Effect } from "effect"
import type { AppConfigShape } from "../config/app-config.ts"
import type { DatabaseShape } from "../db/database.ts"
import type { WorkerPlan } from "./workers.ts"

const localUrl = (host: string, port: number) =>
  `http://${host === "0.0.0.0" || host === "::" ? "localhost" : host}:${port}`

/** Says, readably, what runs where; in JSON mode the same facts as one log line per service. */
export const announce = (config: AppConfigShape, db: DatabaseShape | undefined, kafka?: string, plan?: WorkerPlan) =>
  Effect.gen(function*() {
    const rows = config.services.map((service) => {
      const url = localUrl(config.httpHost, config.ports[service])
      return { service, url, swagger: `${url}/swagger`, ...(service === "console" ? { console: `${url}/` } : {}) }
    })
    if (config.logFormat === "json") {
      for (const row of rows) yield* Effect.logInfo("service started").pipe(Effect.annotateLogs(row))
      yield* Effect.logInfo("storage").pipe(Effect.annotateLogs({ database: db?.target ?? "none", databaseMode: db?.mode ?? "none", kafka: kafka ?? "none" }))
      if (plan) yield* Effect.logInfo("processes").pipe(Effect.annotateLogs({ supervisor: plan.own.join(","), workers: plan.workers.map((w) => w.join(",")).join(" | ") }))
      return
    }
    const width = Math.max(...rows.map((row) => row.service.length))
    const lines = [
      "",
      "Loyaltea is up",
      ...rows.map((row) =>
        row.service === "console"
          ? `  ${row.service.padEnd(width)}  ${row.url}   web console: open it in a browser`
          : `  ${row.service.padEnd(width)}  ${row.url}   Swagger UI ${row.swagger}`),
      ...(db ? [`  database  ${db.mode === "embedded" ? "embedded (PGlite)" : "external"}: ${db.target}`] : []),
      ...(kafka ? [`  kafka     ${kafka}`] : []),
      ...(plan
        ? [`  processes ${1 + plan.workers.length} (LOYALTEA_WORKERS): ${[plan.own.join(", "), ...plan.workers.map((w) => w.join(", "))].join(" | ")}`]
        : []),
      ""
    ]
    yield* Effect.sync(() => console.log(lines.join("\n")))
  })
