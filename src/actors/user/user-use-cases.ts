import { Layer } from "effect"
import { AdminBootstrap } from "./admin-bootstrap.ts"
import { ApiKeys } from "./api-key-service.ts"
import type { AppConfig } from "../../config/app-config.ts"
import { AuthSettings } from "./auth-settings.ts"
import { defaultThrottle, LoginThrottle, type ThrottleOptions } from "./login-throttle.ts"
import { MemberUseCases } from "./member-service.ts"
import { MemberTokens } from "./member-tokens.ts"
import { OperatorUseCases } from "./operator-service.ts"
import { Sessions } from "./sessions.ts"
import { SigningKeys } from "./signing-keys.ts"
import { TenantUseCases } from "./tenant-service.ts"
import { TokenRevocations } from "./token-revocations.ts"

/** Everything the user service's routes run against. */
export type UserUseCases = MemberUseCases | MemberTokens | TenantUseCases | OperatorUseCases | ApiKeys | Sessions | SigningKeys | TokenRevocations | AuthSettings

export interface UserUseCasesOptions {
  /** Login throttling limits; tests pass small ones. */
  readonly throttle?: ThrottleOptions
}

/**
 * The user service's use cases over the database and the auth settings (`AuthSettings.layer` reads
 * the environment; tests give `Layer.succeed(AuthSettings, ...)`). The settings stay in the output
 * because the login route reads `trustProxy`. Building it also makes sure a platform admin exists.
 */
export const userUseCases = (options: UserUseCasesOptions = {}, settings: Layer.Layer<AuthSettings, unknown, AppConfig> = AuthSettings.layer) =>
  Layer.mergeAll(MemberUseCases.layer, MemberTokens.layer, TenantUseCases.layer, OperatorUseCases.layer, ApiKeys.layer, Sessions.layer, AdminBootstrap).pipe(
    Layer.provideMerge(SigningKeys.layer),
    Layer.provideMerge(TokenRevocations.layer),
    Layer.provide(LoginThrottle.layer(options.throttle ?? defaultThrottle)),
    Layer.provideMerge(settings)
  )
