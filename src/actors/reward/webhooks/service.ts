import { randomBytes, randomUUID } from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { AppConfig } from "../../../config/app-config.ts"
import { Database } from "../../../db/database.ts"
import type { DatabaseError } from "../../../db/errors.ts"
import { InvalidInput, NotFound } from "../../../domain/errors.ts"
import type { PageRequest } from "../../../domain/page.ts"
import type { TenantScope } from "../../../domain/tenant-scope.ts"
import { TenantDirectory } from "../../../tenants/directory.ts"
import { listDeliveries, requeueDelivery } from "./delivery-log-repo.ts"
import * as repo from "./endpoint-repo.ts"
import { type CreatedWebhook, type Delivery, DeliveryPending, LastSecret, type WebhookInput, type WebhookUpdate } from "./model.ts"
import { literalTargetRefusal } from "./target.ts"


const newSecret = () => ({ id: randomUUID(), value: `whsec_${randomBytes(32).toString("base64url")}` })

const make = Effect.gen(function*() {
  const db = yield* Database
  const tenants = yield* TenantDirectory
  const settings = (yield* AppConfig).webhooks

  const notFound = (id: string) => new NotFound({ resource: "webhook", id })

  // What can be told without resolving the host; every delivery resolves it again and checks each address.
  const checkUrl = (url: string) => {
    const refusal = settings.allowPrivate ? undefined : literalTargetRefusal(new URL(url))
    return refusal ? Effect.fail(new InvalidInput({ field: "url", reason: `not a public destination: ${refusal}` })) : Effect.void
  }

  /** The endpoint's tenant, when the caller's scope sees it; locked for the rest of the transaction. */
  const owned = (scope: TenantScope, id: string) =>
    (tx: Parameters<Parameters<typeof db.transaction>[0]>[0]) =>
      repo.endpointTenant(tx, scope, id).pipe(Effect.flatMap((tenant) => (tenant === undefined ? Effect.fail(notFound(id)) : Effect.succeed(tenant))))

  return {
    create: (scope: TenantScope, input: WebhookInput) =>
      tenants.writable(scope, input.tenant).pipe(
        Effect.andThen(checkUrl(input.url)),
        Effect.andThen(db.transaction((tx) =>
          repo.insertEndpoint(tx, {
            tenant: input.tenant,
            id: randomUUID(),
            url: input.url,
            events: input.events,
            description: input.description ?? null,
            enabled: input.enabled ?? true,
            secret: newSecret()
          })
        )),
        Effect.map(({ secret, webhook }): CreatedWebhook => ({ ...webhook, secret: secret.secret }))
      ),
    list: (scope: TenantScope, page: PageRequest) => repo.listEndpoints(db.sql, scope, page),
    get: (scope: TenantScope, id: string) =>
      repo.findEndpoint(db.sql, scope, id).pipe(Effect.flatMap((found) => (found ? Effect.succeed(found) : Effect.fail(notFound(id))))),
    update: (scope: TenantScope, id: string, update: WebhookUpdate) =>
      checkUrl(update.url).pipe(
        Effect.andThen(repo.updateEndpoint(db.sql, scope, id, update)),
        Effect.flatMap((found) => (found ? Effect.succeed(found) : Effect.fail(notFound(id))))
      ),
    remove: (scope: TenantScope, id: string) =>
      repo.deleteEndpoint(db.sql, scope, id).pipe(Effect.flatMap((deleted) => (deleted ? Effect.void : Effect.fail(notFound(id))))),
    /** A new signing secret; the newest two are both used until the older one is removed or replaced. */
    addSecret: (scope: TenantScope, id: string) =>
      db.transaction((tx) => owned(scope, id)(tx).pipe(Effect.flatMap((tenant) => repo.insertSecret(tx, tenant, id, newSecret())))),
    removeSecret: (scope: TenantScope, id: string, secretId: string) =>
      db.transaction((tx) =>
        owned(scope, id)(tx).pipe(
          Effect.flatMap((tenant) => repo.deleteSecret(tx, tenant, id, secretId)),
          Effect.flatMap((outcome): Effect.Effect<void, LastSecret | NotFound> =>
            outcome === "removed"
              ? Effect.void
              : outcome === "last"
              ? Effect.fail(new LastSecret({ secretId }))
              : Effect.fail(new NotFound({ resource: "webhook secret", id: secretId }))
          )
        )
      ),
    deliveries: (scope: TenantScope, id: string, page: PageRequest & { readonly status: string | undefined }) =>
      repo.findEndpoint(db.sql, scope, id).pipe(
        Effect.flatMap((found) => (found ? listDeliveries(db.sql, found.tenant, id, page) : Effect.fail(notFound(id)) as Effect.Effect<never, NotFound | DatabaseError>))
      ),
    redeliver: (scope: TenantScope, id: string, deliveryId: string) =>
      repo.findEndpoint(db.sql, scope, id).pipe(
        Effect.flatMap((found) => (found ? requeueDelivery(db.sql, found.tenant, id, deliveryId) : Effect.fail(notFound(id)) as Effect.Effect<never, NotFound | DatabaseError>)),
        Effect.flatMap((outcome): Effect.Effect<Delivery, NotFound | DeliveryPending> =>
          outcome === "missing"
            ? Effect.fail(new NotFound({ resource: "webhook delivery", id: deliveryId }))
            : outcome === "pending"
            ? Effect.fail(new DeliveryPending({ deliveryId }))
            : Effect.succeed(outcome)
        )
      )
  }
})

/** Webhook endpoints, their secrets and their delivery logs: the use cases behind `/webhooks`. */
export class WebhookUseCases extends Context.Service<WebhookUseCases, Effect.Success<typeof make>>()("loyaltea/reward/WebhookUseCases") {
  static readonly layer = Layer.effect(WebhookUseCases, make)
}
