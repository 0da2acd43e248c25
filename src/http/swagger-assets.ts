import { dirname, join } from "node:path"
import { Elysia } from "elysia"

const assetsDir = dirname(Bun.resolveSync("swagger-ui-dist/package.json", import.meta.dir))
const assets = ["swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"] as const

export const swaggerAssetPath = (name: (typeof assets)[number]) => `/swagger/assets/${name}`

/** The Swagger UI's own files, served locally so the page renders with no internet access. */
export const swaggerAssets = () =>
  assets.reduce(
    (app, name) =>
      app.get(swaggerAssetPath(name), () => new Response(Bun.file(join(assetsDir, name)), {
        headers: { "cache-control": "public, max-age=86400" }
      }), { detail: { hide: true } }),
    new Elysia({ name: "loyaltea-swagger-assets" })
  )
