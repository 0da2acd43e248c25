import type { Server } from "bun"
import { Effect } from "effect"
import { AuthSettings } from "../actors/user/auth-settings.ts"
import { type Principal, Unauthorized } from "../auth/principal.ts"

/** The access macro gives every non-public route its caller; should one ever be missing, it is a 401, never a pass. */
export const asCaller = <A, E, R>(
  principal: Principal | undefined,
  f: (principal: Principal) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | Unauthorized, R> =>
  principal
    ? f(principal)
    : Effect.logWarning("request refused: no valid credential").pipe(Effect.andThen(Effect.fail(new Unauthorized({ reason: "authentication required" }))))

/**
 * The client in `X-Forwarded-For` behind `hops` trusted proxies: each appends the address it got
 * the request from, so the entry `hops` from the right is the one the outermost trusted proxy saw.
 * Entries left of it are whatever the client sent, and a client choosing its address would escape
 * throttling by address. With fewer entries than hops, the left-most is the nearest to the client.
 */
export const forwardedClient = (header: string | null, hops: number): string | undefined => {
  const entries = (header ?? "").split(",").map((entry) => entry.trim())
  const entry = entries[Math.max(0, entries.length - hops)]
  return entry ? entry.slice(0, 100) : undefined
}

/**
 * The address login throttling counts against: the socket's peer, or behind trusted reverse
 * proxies the client they forwarded for (the proxy's own address would otherwise stand for
 * everyone). Without trusted proxies the header is ignored, since any client can write it.
 */
export const clientAddress = (request: Request, server: Server<unknown> | null): Effect.Effect<string, never, AuthSettings> =>
  Effect.map(Effect.service(AuthSettings), (settings) =>
    (settings.trustProxy ? forwardedClient(request.headers.get("x-forwarded-for"), settings.trustedProxies) : undefined)
      ?? server?.requestIP(request)?.address
      ?? "unknown")
