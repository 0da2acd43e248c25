import { Effect } from "effect"
import { Elysia, status } from "elysia"
import { type Access, decide, scopeOf } from "../auth/access-policy.ts"
import { Authenticator } from "../auth/authenticator.ts"
import { credentialOf } from "../auth/credentials.ts"
import type { Principal } from "../auth/principal.ts"
import { allTenants, type TenantScope } from "../domain/tenant-scope.ts"
import type { Runner } from "./run-effect.ts"
import type { ErrorBody } from "./schema.ts"

const bearer = { bearerAuth: [] as Array<string> }
const apiKey = { apiKey: [] as Array<string> }
const securityOf: Record<Access, Array<Record<string, Array<string>>>> = {
  public: [],
  read: [bearer, apiKey],
  write: [bearer],
  events: [bearer, apiKey],
  operator: [bearer],
  admin: [bearer]
}

/** Who is calling and which tenants they reach; `principal` is absent only on public routes. */
export interface AccessContext {
  readonly principal: Principal | undefined
  readonly scope: TenantScope
}

/**
 * `access: "read" | "write" | ...` on a route: checks the credential and the role before the
 * handler runs (401 without a valid credential, 403 when the role or key scope does not allow the
 * route), gives the handler `principal` and `scope`, and documents the route's security in OpenAPI.
 * Tenant boundaries inside the request (body, path, query) are checked by the use cases with `scope`.
 */
export const accessControl = (run: Runner<Authenticator>) =>
  new Elysia({ name: "loyaltea-access" }).macro({
    access: (access: Access) => ({
      detail: { security: securityOf[access], "x-loyaltea-access": access },
      async resolve({ headers, request, server }) {
        if (access === "public") return { principal: undefined as Principal | undefined, scope: allTenants as TenantScope }
        const refuse = (code: 401 | 403, body: ErrorBody, principal?: Principal) => {
          const address = server?.requestIP(request)?.address ?? "unknown"
          const who = principal ? (principal.kind === "operator" ? `operator ${principal.operatorId}` : `api key ${principal.keyId}`) : "anonymous"
          run.log(Effect.logWarning(`access refused: ${request.method} ${new URL(request.url).pathname} → ${code}`).pipe(
            Effect.annotateLogs({ reason: body.message, who, address })
          ))
          return status(code, body)
        }
        const outcome = await run.exit(Effect.flatMap(Effect.service(Authenticator), (a) => a.authenticate(credentialOf(headers))))
        if (outcome._tag === "Failure") {
          const reason = outcome.cause.toString().includes("Unauthorized") ? messageOf(outcome.cause) : "credential could not be checked"
          return refuse(401, { error: "Unauthorized", message: reason })
        }
        const principal = outcome.value
        const decision = decide(access, principal)
        if (!decision.allowed) return refuse(403, { error: "Forbidden", message: decision.reason }, principal)
        return { principal: principal as Principal | undefined, scope: scopeOf(principal) }
      }
    })
  })

const messageOf = (cause: unknown): string => {
  const match = /reason: "([^"]*)"/.exec(String(cause)) ?? /Unauthorized: (.*)/.exec(String(cause))
  return match?.[1] ?? "invalid credential"
}
