import { Config, type Option, type Redacted } from "effect"
import { ProxyHops, WholeAtLeast } from "./parsers.ts"

export interface AuthConfig {
  /** The platform admin created on first start (`LOYALTEA_ADMIN_USERNAME`, default `admin`). */
  readonly adminUsername: Option.Option<string>
  /** Its password (`LOYALTEA_ADMIN_PASSWORD`); unset means a generated one, printed once. */
  readonly adminPassword: Option.Option<Redacted.Redacted<string>>
  /**
   * Behind a reverse proxy the socket address is the proxy's, so login throttling would lump every
   * client together; `LOYALTEA_TRUST_PROXY=true` takes the client from `X-Forwarded-For` instead.
   */
  readonly trustProxy: boolean
  /**
   * How many reverse proxies in front of the service append to `X-Forwarded-For`
   * (`LOYALTEA_TRUSTED_PROXIES`, default 1). The client is the entry that many places from the
   * right: entries further left were written by the client itself and prove nothing.
   */
  readonly trustedProxies: number
  /**
   * Where processes without the user service find it: its JWKS verifies access tokens, its
   * introspection route checks API keys.
   */
  readonly userServiceUrl: string
  /**
   * Refresh tokens of ended sessions (every token revoked or expired) and expired refresh tokens
   * are deleted this many days after the session ended or the token expired. Spent tokens of live
   * sessions stay, so that their reuse is still recognised.
   */
  readonly refreshTokenRetentionDays: number
  /**
   * How often a process brings its copy of the revoked sessions and operators up to date: from
   * the user service's table in its own processes, from `GET /auth/revocations` in the others.
   */
  readonly revocationPollMs: number
  /**
   * A process whose copy has not been brought up to date for this long (the user service or the
   * database is out of reach) answers access tokens 503 until it is again: it might be missing a
   * revocation.
   */
  readonly revocationMaxStalenessMs: number
}

export const authConfig: Config.Config<AuthConfig> = Config.all({
  adminUsername: Config.option(Config.String("LOYALTEA_ADMIN_USERNAME")),
  adminPassword: Config.option(Config.Redacted("LOYALTEA_ADMIN_PASSWORD")),
  trustProxy: Config.Boolean("LOYALTEA_TRUST_PROXY").pipe(Config.withDefault(false)),
  trustedProxies: Config.schema(ProxyHops, "LOYALTEA_TRUSTED_PROXIES").pipe(Config.withDefault(1)),
  userServiceUrl: Config.URL("LOYALTEA_USER_SERVICE_URL").pipe(Config.map((url) => url.toString()), Config.withDefault("http://127.0.0.1:9004/")),
  refreshTokenRetentionDays: Config.schema(WholeAtLeast(0), "LOYALTEA_REFRESH_TOKEN_RETENTION_DAYS").pipe(Config.withDefault(7)),
  revocationPollMs: Config.schema(WholeAtLeast(50), "LOYALTEA_REVOCATION_POLL_MS").pipe(Config.withDefault(1000)),
  revocationMaxStalenessMs: Config.schema(WholeAtLeast(1000), "LOYALTEA_REVOCATION_MAX_STALENESS_MS").pipe(Config.withDefault(60_000))
})
