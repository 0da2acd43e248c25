import { Effect, Layer } from "effect"
import { ApiKeys } from "../actors/user/api-key-service.ts"
import { localChecks } from "../actors/user/local-checks.ts"
import { SigningKeys } from "../actors/user/signing-keys.ts"
import { AppConfig } from "../config/app-config.ts"
import type { Database } from "../db/database.ts"
import { Authenticator } from "./authenticator.ts"
import { remoteChecks } from "./remote-checks.ts"

/** With the user service in this process: its own keys and API-key table, checked directly. */
export const LocalAuthenticator = Authenticator.layerFrom(localChecks).pipe(Layer.provide(Layer.merge(SigningKeys.layer, ApiKeys.layer)))

/** Without it: its published JWKS and its introspection route, at LOYALTEA_USER_SERVICE_URL. */
export const RemoteAuthenticator = Layer.effect(
  Authenticator,
  Effect.map(Effect.service(AppConfig), (config) => Authenticator.make(remoteChecks(config.auth.userServiceUrl)))
)

/** Every service checks credentials; how depends on whether the user service runs alongside. */
export const AuthenticatorLive: Layer.Layer<Authenticator, never, AppConfig | Database> = Layer.unwrap(
  Effect.map(Effect.service(AppConfig), (config): Layer.Layer<Authenticator, never, AppConfig | Database> =>
    config.services.includes("user") ? LocalAuthenticator : RemoteAuthenticator)
)
