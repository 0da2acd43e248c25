import { Elysia } from "elysia"
import { swaggerAssetPath } from "./swagger-assets.ts"
import { swaggerPagePolicy } from "./swagger-policy.ts"

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!)

/** The Swagger UI page: the UI's own files from this server, the document from `swagger/json`. */
export const swaggerPageHtml = (title: string, description: string) => `<!DOCTYPE html>
<html lang="en">
<head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(title)}</title>
    <meta name="description" content="${escapeHtml(description)}" />
    <link rel="stylesheet" href="${swaggerAssetPath("swagger-ui.css")}" />
</head>
<body>
    <div id="swagger-ui"></div>
    <script src="${swaggerAssetPath("swagger-ui-bundle.js")}"></script>
    <script>
        window.onload = () => {
            window.ui = SwaggerUIBundle({ dom_id: "#swagger-ui", url: "swagger/json", persistAuthorization: true });
        };
    </script>
</body>
</html>`

/**
 * `GET /swagger`, with a Content-Security-Policy made for the page (instead of the API's, which
 * allows nothing): its inline script runs by its hash, everything else comes from this origin.
 */
export const swaggerPage = (title: string, description: string) => {
  const html = swaggerPageHtml(title, description)
  const policy = swaggerPagePolicy(html)
  return new Elysia({ name: `loyaltea-swagger-page-${title}` }).get("/swagger", ({ set }) => {
    set.headers["content-type"] = "text/html; charset=utf-8"
    set.headers["content-security-policy"] = policy
    return html
  }, { detail: { hide: true } })
}
