import { Effect, type Layer, ManagedRuntime } from "effect"
import type { AnyElysia } from "elysia"
import type { ServiceName } from "../../src/config/service-name.ts"
import { buildServiceApp, type RoutesFactory } from "../../src/http/service-server.ts"
import { type AuthRuntime, headersOf } from "./credentials.ts"

/** A service's full Elysia app over a runtime, for requests through `app.handle`, with no credential. */
export const anonymousApp = async <R>(runtime: ManagedRuntime.ManagedRuntime<R, unknown>, service: ServiceName, routes: RoutesFactory<R>) =>
  (await runtime.runPromise(buildServiceApp(service, routes) as Effect.Effect<AnyElysia, never, R>)) as AnyElysia

/** Sends every request with the given headers (a credential) unless the request sets its own. */
export const withHeaders = (app: AnyElysia, headers: Record<string, string>): AnyElysia =>
  ({
    handle: (request: Request) => {
      const merged = new Headers(headers)
      request.headers.forEach((value, key) => merged.set(key, value))
      return app.handle(new Request(request, { headers: merged }))
    }
  }) as unknown as AnyElysia

/**
 * The app as the platform admin calls it (a real token from the user service's key): for tests of
 * what a route does; who may call it is proven by the authorization tests.
 */
export const appOver = async <R>(runtime: ManagedRuntime.ManagedRuntime<R, unknown>, service: ServiceName, routes: RoutesFactory<R>) =>
  withHeaders(await anonymousApp(runtime, service, routes), await headersOf(runtime as unknown as AuthRuntime, "admin"))

export const request = (app: AnyElysia, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  app.handle(new Request(`http://localhost${path}`, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body)
  }))

export type { Layer }
