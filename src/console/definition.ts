import { Cause, Effect, Layer } from "effect"
import type { Authenticator } from "../auth/authenticator.ts"
import type { RunnableService } from "../actors/service-definition.ts"
import { AppConfig } from "../config/app-config.ts"
import type { Database } from "../db/database.ts"
import { listen } from "../http/listen.ts"
import { checkReadiness } from "../http/readiness.ts"
import { makeRunner } from "../http/run-effect.ts"
import { serviceApp } from "../http/service-app.ts"
import { scrapeMetrics } from "../observability/scrape.ts"
import { ConsoleKafka } from "./kafka/console-kafka.ts"
import { isProxiedUpload } from "./proxied-uploads.ts"
import { proxyRoutes } from "./proxy.ts"
import { consoleRoutes } from "./routes.ts"
import { buildWebBundle } from "./web-bundle.ts"
import { webRoutes } from "./web-routes.ts"

/**
 * The console's app: its web page, the same-origin proxy to the services' APIs, and its own
 * Kafka routes, with what every port has (health, OpenAPI, problem details).
 */
export const buildConsoleApp = Effect.gen(function*() {
  const config = yield* AppConfig
  const bundle = yield* buildWebBundle
  const context = yield* Effect.context<ConsoleKafka | Authenticator | Database>()
  const logCause = (cause: Cause.Cause<unknown>) => Effect.runFork(Effect.logError("console: request failed", cause).pipe(Effect.provideContext(context)))
  const ready = () => Effect.runPromiseWith(context)(checkReadiness("console", { usesKafka: true }))
  const metrics = () => Effect.runPromiseWith(context)(scrapeMetrics("console"))
  return serviceApp({ service: "console", ready, metrics, rootToSwagger: false, corsOrigins: config.corsOrigins, streamedBodies: isProxiedUpload, onServerError: (error) => logCause(Cause.die(error)) })
    .use(webRoutes(bundle))
    .use(proxyRoutes(config))
    .use(consoleRoutes(makeRunner(context, logCause)))
})

const ConsoleServer = Layer.effectDiscard(
  Effect.gen(function*() {
    const config = yield* AppConfig
    const app = yield* buildConsoleApp
    yield* listen(app, { service: "console", hostname: config.httpHost, port: config.ports.console })
  })
)

/** The web console: a client of the services' HTTP APIs and of Kafka, on its own port. */
export const consoleService: RunnableService = {
  name: "console",
  usesKafka: true,
  layer: ConsoleServer.pipe(Layer.provide(ConsoleKafka.layer))
}
