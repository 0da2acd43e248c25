import { Effect, Layer } from "effect"
import { ApiKeys } from "../actors/user/api-key-service.ts"
import { localChecks } from "../actors/user/local-checks.ts"
import { SigningKeys } from "../actors/user/signing-keys.ts"
import { AppConfig } from "../config/app-config.ts"
import type { Database } from "../db/database.ts"
import { Authenticator } from "./authenticator.ts"
import { remoteChecks, revocationPages } from "./remote-checks.ts"
import { followRevocations } from "./revocation-follower.ts"
import { Revocations } from "./revocations.ts"

/**
 * With the user service in this process: its own keys and API-key table, checked directly. Its
 * use cases add their revocations to the list at once; its actors follow the others' revocations.
 */
export const LocalAuthenticator = Authenticator.layerFrom(localChecks).pipe(Layer.provide(Layer.merge(SigningKeys.layer, ApiKeys.layer)))

/**
 * Without it: its published JWKS and its introspection route, at LOYALTEA_USER_SERVICE_URL, and its
 * revocation list, followed every LOYALTEA_REVOCATION_POLL_MS for the life of the layer.
 */
export const RemoteAuthenticator = Layer.effect(
  Authenticator,
  Effect.gen(function*() {
    const { auth } = yield* AppConfig
    const revocations = yield* Revocations
    yield* followRevocations("revocation feed", revocationPages(auth.userServiceUrl), auth.revocationPollMs)
    return Authenticator.make(remoteChecks(auth.userServiceUrl), revocations)
  })
)

/** Every service checks credentials; how depends on whether the user service runs alongside. */
export const AuthenticatorLive: Layer.Layer<Authenticator, never, AppConfig | Database | Revocations> = Layer.unwrap(
  Effect.map(Effect.service(AppConfig), (config): Layer.Layer<Authenticator, never, AppConfig | Database | Revocations> =>
    config.services.includes("user") ? LocalAuthenticator : RemoteAuthenticator)
)
