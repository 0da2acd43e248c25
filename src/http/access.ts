import { Cause, Effect, Option } from "effect"
import { Elysia } from "elysia"
import { type Access, decide, decideForUser, scopeOf } from "../auth/access-policy.ts"
import { Authenticator, type AuthenticatorShape } from "../auth/authenticator.ts"
import { credentialOf } from "../auth/credentials.ts"
import type { Principal } from "../auth/principal.ts"
import { allTenants, type TenantScope } from "../domain/tenant-scope.ts"
import { retryAfterSeconds } from "./problem.ts"
import { HttpRefusal } from "./refusal.ts"
import type { Runner } from "./run-effect.ts"

const bearer = { bearerAuth: [] as Array<string> }
const apiKey = { apiKey: [] as Array<string> }
const securityOf: Record<Access, Array<Record<string, Array<string>>>> = {
  public: [],
  any: [bearer, apiKey],
  read: [bearer, apiKey],
  member: [bearer, apiKey],
  redeem: [bearer],
  write: [bearer],
  events: [bearer, apiKey],
  "member-token": [bearer, apiKey],
  operator: [bearer],
  admin: [bearer]
}

/** Who is calling and which tenants they reach; `principal` is absent only on public routes. */
export interface AccessContext {
  readonly principal: Principal | undefined
  readonly scope: TenantScope
}

/** The documented 503 body's message when a credential cannot be checked (see the README). */
const unavailable = "the credential cannot be checked right now; retry"

const publicAccess: AccessContext = { principal: undefined, scope: allTenants }
const granted = Symbol("loyaltea.access")
type WithGrant = { [granted]?: AccessContext }

/**
 * `access: "read" | "write" | ...` on a route: checks the credential and the role before anything
 * else looks at the request (so a caller without a valid credential learns nothing, not even
 * which fields are wrong): 401 without a valid credential, 403 when the role or API-key scope does
 * not allow the route, 503 with `Retry-After` when the credential cannot be checked right now (the
 * user service or the database is out of reach: the credential may be fine). The handler gets `principal` and
 * `scope`; tenant boundaries inside the request (body, path, query) are checked by the use cases.
 * Every refusal is logged, without the credential. The route's security goes into OpenAPI.
 */
export const accessControl = (run: Runner<Authenticator>) => {
  const refuse = (request: Request, address: string, status: 401 | 403 | 503, message: string, principal?: Principal, reason = message) => {
    const who = principal ? (principal.kind === "operator" ? `operator ${principal.operatorId}` : principal.kind === "api-key" ? `api key ${principal.keyId}` : `member ${principal.userId}`) : "anonymous"
    run.log(Effect.logWarning(`access refused: ${request.method} ${new URL(request.url).pathname} → ${status}`).pipe(
      Effect.annotateLogs({ reason, who, address })
    ))
    const error = status === 401 ? "Unauthorized" : status === 403 ? "Forbidden" : "Unavailable"
    return new HttpRefusal(status, { error, message }, status === 503 ? { "retry-after": String(retryAfterSeconds) } : {})
  }

  // The process's authenticator, looked up once: a token it let through before is then known without a fiber.
  let authenticator: AuthenticatorShape | undefined
  return new Elysia({ name: "loyaltea-access" }).macro({
    access: (access: Access) => ({
      detail: { security: securityOf[access], "x-loyaltea-access": access },
      // Transform runs before validation: identity first, then the shape of the input.
      async transform(context) {
        if (access === "public") return
        const { headers, request, server } = context
        const credential = credentialOf(headers)
        authenticator ??= await run.exit(Effect.service(Authenticator)).then((exit) => (exit._tag === "Success" ? exit.value : undefined))
        const known = authenticator?.known(credential)
        const outcome = known !== undefined ? ({ _tag: "Success", value: known } as const) : await run.exit(Authenticator.use((a) => a.authenticate(credential)))
        if (outcome._tag === "Failure") {
          const address = server?.requestIP(request)?.address ?? "unknown"
          const error = Option.getOrUndefined(Cause.findErrorOption(outcome.cause))
          if (error?._tag === "Unauthorized") throw refuse(request, address, 401, error.message)
          // The reason (the user service is unreachable, ...) goes to the log; the client only learns to come back.
          if (error?._tag !== "CredentialsUnavailable") run.log(Effect.logError("a credential could not be checked", outcome.cause))
          throw refuse(request, address, 503, unavailable, undefined, error?.message)
        }
        const principal = outcome.value
        const address = () => server?.requestIP(request)?.address ?? "unknown"
        const decision = decide(access, principal)
        if (!decision.allowed) throw refuse(request, address(), 403, decision.reason, principal)
        const own = decideForUser(access, principal, (context.params as Record<string, string | undefined> | undefined)?.userId)
        if (!own.allowed) throw refuse(request, address(), 403, own.reason, principal)
        ;(context as WithGrant)[granted] = { principal, scope: scopeOf(principal) }
      },
      resolve(context) {
        const grant = (context as WithGrant)[granted] ?? (access === "public" ? publicAccess : undefined)
        // Unreachable while transform runs first; if it ever did not, the answer is a refusal, never a pass.
        if (!grant) throw new HttpRefusal(401, { error: "Unauthorized", message: "authentication required" })
        return { principal: grant.principal, scope: grant.scope }
      }
    })
  })
}
