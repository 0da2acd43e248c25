/**
 * The two import routes as the console's proxy serves them (`/api/<service>/imports/...`): their
 * CSV or NDJSON body goes through as it arrives, unread, outside the console's JSON parser and its
 * 1 MiB limit, to the service that measures it against its own cap (with the `content-length` the
 * client declared, when it declared one, so an oversize body is refused before it is read). Every
 * other proxied body is bounded JSON.
 */
const proxiedUploadRoutes: ReadonlySet<string> = new Set(["/api/reward/imports/opening-balances", "/api/fulfillment/imports/purchases"])

export const isProxiedUpload = (request: Request) => request.method === "POST" && proxiedUploadRoutes.has(new URL(request.url).pathname)

