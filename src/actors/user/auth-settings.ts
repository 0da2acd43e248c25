import { Config, ConfigProvider, Context, Layer, type Option, type Redacted } from "effect"

/** What the user service's authentication reads from the environment. */
export interface AuthSettingsShape {
  /** The platform admin created on first start (`LOYALTEA_ADMIN_USERNAME`, default `admin`). */
  readonly adminUsername: Option.Option<string>
  /** Its password (`LOYALTEA_ADMIN_PASSWORD`); unset means a generated one, printed once. */
  readonly adminPassword: Option.Option<Redacted.Redacted<string>>
  /**
   * Behind a reverse proxy the socket address is the proxy's, so login throttling would lump every
   * client together; `LOYALTEA_TRUST_PROXY=true` takes the client from `X-Forwarded-For` instead.
   */
  readonly trustProxy: boolean
}

export const authSettings: Config.Config<AuthSettingsShape> = Config.all({
  adminUsername: Config.option(Config.String("LOYALTEA_ADMIN_USERNAME")),
  adminPassword: Config.option(Config.Redacted("LOYALTEA_ADMIN_PASSWORD")),
  trustProxy: Config.Boolean("LOYALTEA_TRUST_PROXY").pipe(Config.withDefault(false))
})

export class AuthSettings extends Context.Service<AuthSettings, AuthSettingsShape>()("loyaltea/user/AuthSettings") {
  /** Reads the process environment (the default ConfigProvider). */
  static readonly layer = Layer.effect(AuthSettings, authSettings)

  /** The same parsing over an explicit variable map (tests, tools). */
  static readonly fromRecord = (env: Record<string, string | undefined>) =>
    AuthSettings.layer.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))))
}
