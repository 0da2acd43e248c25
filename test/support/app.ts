import { Effect, type Layer, ManagedRuntime } from "effect"
import type { AnyElysia } from "elysia"
import type { ServiceName } from "../../src/config/service-name.ts"
import { buildServiceApp, type RoutesFactory } from "../../src/http/service-server.ts"

/** A service's full Elysia app over a runtime, for requests through `app.handle`. */
export const appOver = async <R>(runtime: ManagedRuntime.ManagedRuntime<R, unknown>, service: ServiceName, routes: RoutesFactory<R>) =>
  (await runtime.runPromise(buildServiceApp(service, routes) as Effect.Effect<AnyElysia, never, R>)) as AnyElysia

export const request = (app: AnyElysia, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  app.handle(new Request(`http://localhost${path}`, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body)
  }))

export type { Layer }
