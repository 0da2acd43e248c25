import { invalidBinding, Operation, type AclBinding } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, int8, message, nullableString, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

export const createAcls = defineApi({
  key: 30,
  name: "CreateAcls",
  minVersion: 0,
  maxVersion: 3,
  request: message("2+", {
    creations: field(
      array(
        struct({
          resourceType: field(int8),
          resourceName: field(string),
          resourcePatternType: field(int8, "1+", 3),
          principal: field(string),
          host: field(string),
          operation: field(int8),
          permissionType: field(int8),
        }),
      ),
    ),
  }),
  response: message("2+", { throttleTimeMs: field(int32), results: field(array(struct({ errorCode: field(int16), errorMessage: field(nullableString) }))) }),
  handle(req, ctx) {
    const security = ctx.broker.security;
    const all = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode, errorMessage })) });
    if (!security) return all(ErrorCode.SECURITY_DISABLED, "No authorizer is configured on the broker (it runs without SASL users)");
    if (!ctx.access.cluster(Operation.Alter)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, "Alter on the cluster is needed to create ACLs");
    const bindings: AclBinding[] = req.creations.map((c) => ({
      resourceType: c.resourceType,
      resourceName: c.resourceName,
      patternType: c.resourcePatternType,
      principal: c.principal,
      host: c.host,
      operation: c.operation,
      permissionType: c.permissionType,
    }));
    const problems = bindings.map(invalidBinding);
    security.acls.add(bindings.filter((_, i) => problems[i] === null));
    ctx.broker.log.info("ACLs created", { by: ctx.access.principal, count: problems.filter((p) => p === null).length });
    return { throttleTimeMs: 0, results: problems.map((p) => (p === null ? { errorCode: 0, errorMessage: null } : { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: p })) };
  },
});
