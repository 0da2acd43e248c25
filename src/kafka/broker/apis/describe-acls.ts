import { Operation } from "../auth/acl.ts";
import { invalidFilter, type AclBinding } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, int8, message, nullableString, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

export const aclFilterFields = {
  resourceTypeFilter: field(int8),
  resourceNameFilter: field(nullableString),
  patternTypeFilter: field(int8, "1+", 3),
  principalFilter: field(nullableString),
  hostFilter: field(nullableString),
  operation: field(int8),
  permissionType: field(int8),
};

export const toFilter = (f: { resourceTypeFilter: number; resourceNameFilter: string | null; patternTypeFilter: number; principalFilter: string | null; hostFilter: string | null; operation: number; permissionType: number }) => ({
  resourceType: f.resourceTypeFilter,
  resourceName: f.resourceNameFilter,
  patternType: f.patternTypeFilter,
  principal: f.principalFilter,
  host: f.hostFilter,
  operation: f.operation,
  permissionType: f.permissionType,
});

/** Bindings grouped by resource pattern, as DescribeAcls answers them. */
function byResource(bindings: readonly AclBinding[]) {
  const groups = new Map<string, { resourceType: number; resourceName: string; patternType: number; acls: { principal: string; host: string; operation: number; permissionType: number }[] }>();
  for (const b of bindings) {
    const key = `${b.resourceType}\u0000${b.patternType}\u0000${b.resourceName}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] }));
    g.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
  }
  return [...groups.values()];
}

export const describeAcls = defineApi({
  key: 29,
  name: "DescribeAcls",
  minVersion: 0,
  maxVersion: 3,
  request: message("2+", aclFilterFields),
  response: message("2+", {
    throttleTimeMs: field(int32),
    errorCode: field(int16),
    errorMessage: field(nullableString),
    resources: field(
      array(
        struct({
          resourceType: field(int8),
          resourceName: field(string),
          patternType: field(int8, "1+", 3),
          acls: field(array(struct({ principal: field(string), host: field(string), operation: field(int8), permissionType: field(int8) }))),
        }),
      ),
    ),
  }),
  handle(req, ctx) {
    const fail = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] });
    const security = ctx.broker.security;
    if (!security) return fail(ErrorCode.SECURITY_DISABLED, "No authorizer is configured on the broker (it runs without SASL users)");
    if (!ctx.access.cluster(Operation.Describe)) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, "Describe on the cluster is needed to list ACLs");
    const filter = toFilter(req);
    const invalid = invalidFilter(filter);
    if (invalid) return fail(ErrorCode.INVALID_REQUEST, invalid);
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, resources: byResource(security.acls.matching(filter)) };
  },
});
