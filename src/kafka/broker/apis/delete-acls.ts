import { invalidFilter, Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, int8, message, nullableString, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";
import { aclFilterFields, toFilter } from "./describe-acls.ts";

const matchingAcl = struct({
  errorCode: field(int16),
  errorMessage: field(nullableString),
  resourceType: field(int8),
  resourceName: field(string),
  patternType: field(int8, "1+", 3),
  principal: field(string),
  host: field(string),
  operation: field(int8),
  permissionType: field(int8),
});

export const deleteAcls = defineApi({
  key: 31,
  name: "DeleteAcls",
  minVersion: 0,
  maxVersion: 3,
  request: message("2+", { filters: field(array(struct(aclFilterFields))) }),
  response: message("2+", {
    throttleTimeMs: field(int32),
    filterResults: field(array(struct({ errorCode: field(int16), errorMessage: field(nullableString), matchingAcls: field(array(matchingAcl)) }))),
  }),
  handle(req, ctx) {
    const security = ctx.broker.security;
    const all = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, filterResults: req.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })) });
    if (!security) return all(ErrorCode.SECURITY_DISABLED, "No authorizer is configured on the broker (it runs without SASL users)");
    if (!ctx.access.cluster(Operation.Alter)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, "Alter on the cluster is needed to delete ACLs");
    const filters = req.filters.map(toFilter);
    const problems = filters.map(invalidFilter);
    const removed = security.acls.remove(filters.filter((_, i) => problems[i] === null));
    let next = 0;
    return {
      throttleTimeMs: 0,
      filterResults: problems.map((p) => {
        if (p !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: p, matchingAcls: [] };
        const acls = removed[next++]!;
        return { errorCode: 0, errorMessage: null, matchingAcls: acls.map((b) => ({ errorCode: 0, errorMessage: null, ...b })) };
      }),
    };
  },
});
