import type { Server } from "bun"
import { Effect } from "effect"
import type { ApiKeys } from "../actors/user/api-key-service.ts"
import { AuthSettings } from "../actors/user/auth-settings.ts"
import { principalFromHeaders } from "../actors/user/credentials.ts"
import type { SigningKeys } from "../actors/user/signing-keys.ts"
import { type Principal, Unauthorized } from "../auth/principal.ts"
import type { Runner, StatusSetter } from "./run-effect.ts"

/**
 * How the user service's routes learn the caller until the shared `access` macro resolves
 * `principal` itself: each route plugin takes one of these and exposes `principal` the same way.
 */
export type ResolvePrincipal = (request: Request) => Promise<Principal | undefined>

/** Bearer access tokens and API keys, checked in process with the user service's own keys and table. */
export const bearerResolver = (run: Runner<SigningKeys | ApiKeys>): ResolvePrincipal => async (request) => {
  const set: StatusSetter = {}
  const principal = await run(set, principalFromHeaders(request.headers))
  // A defect comes back as an error body with a 500: never mistake it for a caller.
  return set.status === 200 ? principal : undefined
}

/** Routes that need a caller: without one (or with a bad credential) the answer is 401. */
export const asCaller = <A, E, R>(
  principal: Principal | undefined,
  f: (principal: Principal) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | Unauthorized, R> =>
  principal
    ? f(principal)
    : Effect.logWarning("request refused: no valid credential").pipe(Effect.andThen(Effect.fail(new Unauthorized({ reason: "authentication required" }))))

/**
 * The address login throttling counts against: the socket's peer, or behind a trusted reverse proxy
 * the first `X-Forwarded-For` entry (the proxy's own address would otherwise stand for everyone).
 * Without a trusted proxy the header is ignored, since any client can write it.
 */
export const clientAddress = (request: Request, server: Server<unknown> | null): Effect.Effect<string, never, AuthSettings> =>
  Effect.map(Effect.service(AuthSettings), (settings) => {
    if (settings.trustProxy) {
      const first = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim()
      if (first) return first.slice(0, 100)
    }
    return server?.requestIP(request)?.address ?? "unknown"
  })
