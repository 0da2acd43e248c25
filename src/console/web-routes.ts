import { Elysia } from "elysia"
import { securityHeaders } from "../http/security-headers.ts"
import type { WebBundle } from "./web-bundle.ts"

/** The page may load and call only this server: its bundle, and its own API and proxy. */
const pagePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** The console's single page (any path the browser shows, so a reload keeps the view) and its assets. */
export const webRoutes = (bundle: WebBundle) =>
  new Elysia({ name: "loyaltea-console-web" })
    .get("/assets/:name", ({ params, set }) => {
      const asset = bundle.assets.get(params.name)
      if (!asset) {
        set.status = 404
        return "not found"
      }
      return new Response(asset.body, {
        headers: { ...securityHeaders, "content-type": asset.type, "cache-control": "public, max-age=31536000, immutable", "content-security-policy": pagePolicy }
      })
    }, { detail: { hide: true } })
    .get("/", ({ set }) => {
      set.headers["content-type"] = "text/html; charset=utf-8"
      set.headers["cache-control"] = "no-store"
      set.headers["content-security-policy"] = pagePolicy
      return bundle.html
    }, { detail: { hide: true } })
