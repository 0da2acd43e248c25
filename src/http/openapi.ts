import { openapi } from "@elysiajs/openapi"
import { Elysia } from "elysia"
import type { ServiceName } from "../config/service-name.ts"
import { polishOpenApi } from "./openapi-polish.ts"
import { swaggerPage } from "./swagger-page.ts"

const descriptions: Record<ServiceName, string> = {
  campaign: "Campaigns (a set of fulfillments plus a set of rewards) and each user's progress through them.",
  reward: "Rewards (points), users' balances, the ledger behind them, redemptions, and the points lifecycle: programs (pending points, expiry, tiers, negative balances) and adjustments.",
  fulfillment: "Buy and tag fulfillments (the conditions), and event ingestion for shops without a Kafka client.",
  user: "Tenants, operators, members, API keys and authentication.",
  console: "The web console's own API: Kafka topics, records, dead letters, test events and following an event, for the signed-in operator. The page is at `/`; `/api/<service>/...` reaches each service's own API (documented on its port)."
}

/**
 * OpenAPI JSON at `/swagger/json`, generated from the routes; Swagger UI at `/swagger`, served
 * by `swagger-page.ts` with the UI's assets from this server and a policy of its own.
 */
export const openapiDocs = (service: ServiceName, version: string) =>
  new Elysia({ name: `loyaltea-openapi-${service}` })
    .onAfterHandle({ as: "global" }, ({ path, response }) => (path === "/swagger/json" ? polishOpenApi(response) : undefined))
    .use(generatedDocs(service, version))
    .use(swaggerPage(titleOf(service), descriptions[service]))

// The first thing a visitor needs: every operation but health and login wants a credential.
const signIn =
  "**Sign in first**: `POST /auth/login` on the user service (port 9004 unless `USER_PORT` says otherwise) with a username and password answers an `accessToken`; press **Authorize** and paste it under bearerAuth (or an API key under apiKey). Without it every operation answers 401."

const titleOf = (service: ServiceName) => `Loyaltea ${service} service`

const generatedDocs = (service: ServiceName, version: string) =>
  openapi({
    path: "/swagger",
    specPath: "/swagger/json",
    // The page is served by swagger-page.ts, so that its Content-Security-Policy can name its inline script.
    provider: null,
    exclude: { paths: [/^\/swagger/] },
    documentation: {
      info: { title: titleOf(service), version, description: `${descriptions[service]}\n\n${signIn}` },
      components: {
        securitySchemes: {
          bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An access token from POST /auth/login on the user service (port 9004)." },
          apiKey: { type: "apiKey", in: "header", name: "X-API-Key", description: "A tenant API key for machines (event ingestion)." }
        }
      }
    }
  })
