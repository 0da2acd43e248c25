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
