import { Effect } from "effect"
import type { Server } from "bun"
import { AuthSettings } from "../actors/user/auth-settings.ts"

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
