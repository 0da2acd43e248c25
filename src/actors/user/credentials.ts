import { Effect } from "effect"
import type { Principal } from "../../auth/principal.ts"
import { principalOfClaims } from "./access-token.ts"
import { ApiKeys } from "./api-key-service.ts"
import { SigningKeys } from "./signing-keys.ts"

/** `Authorization: Bearer <token>`; API keys may also come as `X-API-Key`, as machine clients often send them. */
const credentialOf = (headers: Headers): string | undefined => {
  const authorization = headers.get("authorization")
  const bearer = authorization && /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1]
  return bearer || headers.get("x-api-key") || undefined
}

const refused = (reason: string) => Effect.logWarning("credential refused").pipe(Effect.annotateLogs({ reason }), Effect.as(undefined))

/**
 * The caller, in process: an access token verified with the published keys, or an API key looked
 * up by hash. `undefined` when there is no credential or it does not check out (logged, without
 * the credential); a database failure is a refusal too, never a pass.
 */
export const principalFromHeaders = (headers: Headers): Effect.Effect<Principal | undefined, never, SigningKeys | ApiKeys> => {
  const credential = credentialOf(headers)
  if (credential === undefined) return Effect.succeed(undefined)
  const resolved: Effect.Effect<Principal | undefined, unknown, SigningKeys | ApiKeys> = credential.startsWith("lt_")
    ? Effect.flatMap(Effect.service(ApiKeys), (keys) => keys.verify(credential))
    : Effect.flatMap(Effect.service(SigningKeys), (keys) => keys.verify(credential)).pipe(Effect.map(principalOfClaims))
  return resolved.pipe(
    Effect.catch((error) => refused(error instanceof Object && "message" in error ? String(error.message) : "the credential could not be checked"))
  )
}
