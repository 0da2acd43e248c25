import { Cause, Effect, Layer, Option } from "effect"
import type { AnyElysia } from "elysia"
import type { Authenticator } from "../auth/authenticator.ts"
import { AppConfig } from "../config/app-config.ts"
import type { ServiceName } from "../config/service-name.ts"
import { Database } from "../db/database.ts"
import { scrapeMetrics } from "../observability/scrape.ts"
import { listen } from "./listen.ts"
import { checkReadiness } from "./readiness.ts"
import { makeRunner, type Runner } from "./run-effect.ts"
import { serviceApp } from "./service-app.ts"

/** A service's own routes, given a runner for its use cases (and the authenticator). */
export type RoutesFactory<R> = (run: Runner<R | Authenticator>) => AnyElysia

/** Whether the service consumes or produces events: its `/ready` then checks Kafka and its consumers. */
export interface ServiceServerOptions {
  readonly usesKafka: boolean
}

/** Builds the service's app over the current context (for tests through `app.handle`). */
export const buildServiceApp = <R>(service: ServiceName, routes: RoutesFactory<R>, options: ServiceServerOptions = { usesKafka: false }) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<R | Database | Authenticator>()
    const logCause = (cause: Cause.Cause<unknown>) =>
      Effect.runFork(Effect.logError(`${service}: request failed`, cause).pipe(Effect.provideContext(context)))
    const ready = () => Effect.runPromiseWith(context)(checkReadiness(service, options))
    const metrics = () => Effect.runPromiseWith(context)(scrapeMetrics(service))
    const corsOrigins = Option.match(yield* Effect.serviceOption(AppConfig), { onNone: () => [], onSome: (config) => config.corsOrigins })
    return serviceApp({ service, ready, metrics, corsOrigins, onServerError: (error) => logCause(Cause.die(error)) })
      .use(routes(makeRunner(context, logCause)))
  })

/** The service's HTTP server on its configured port, for the life of the layer. */
export const serviceServer = <R>(service: ServiceName, routes: RoutesFactory<R>, options: ServiceServerOptions) =>
  Layer.effectDiscard(
    Effect.gen(function*() {
      const config = yield* AppConfig
      const app = yield* buildServiceApp(service, routes, options)
      yield* listen(app, { service, hostname: config.httpHost, port: config.ports[service] })
    })
  )
