import { Context, Effect, Layer } from "effect"
import { AppConfig } from "../../config/app-config.ts"
import type { AuthConfig } from "../../config/auth-settings.ts"

export type AuthSettingsShape = Pick<AuthConfig, "adminUsername" | "adminPassword" | "trustProxy" | "trustedProxies">

/** What the user service's authentication needs from the configuration. */
export class AuthSettings extends Context.Service<AuthSettings, AuthSettingsShape>()("loyaltea/user/AuthSettings") {
  static readonly layer = Layer.effect(AuthSettings, Effect.map(Effect.service(AppConfig), (config) => config.auth))
}
