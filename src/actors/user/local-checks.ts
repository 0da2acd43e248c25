import { Effect } from "effect"
import type { CredentialChecks } from "../../auth/authenticator.ts"
import { Unauthorized } from "../../auth/principal.ts"
import { ApiKeys } from "./api-key-service.ts"
import { SigningKeys } from "./signing-keys.ts"

/**
 * In the user service's own process, credentials are checked against its keys and its API-key
 * table directly: a revoked key stops working at once.
 */
export const localChecks = Effect.gen(function*() {
  const keys = yield* SigningKeys
  const apiKeys = yield* ApiKeys
  return {
    verifyToken: (token) => keys.verify(token),
    verifyMemberToken: (token) => keys.verifyMember(token),
    verifyApiKey: (key) =>
      apiKeys.verify(key).pipe(
        Effect.flatMap((principal) => (principal ? Effect.succeed(principal) : Effect.fail(new Unauthorized({ reason: "unknown or revoked API key" }))))
      )
  } satisfies CredentialChecks
})
