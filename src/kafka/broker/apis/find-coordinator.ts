import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { field, int16, int32, int8, nullableString, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

/** This broker coordinates every group (and would every transaction). */
export const findCoordinator = defineApi({
  key: 10,
  name: "FindCoordinator",
  minVersion: 0,
  maxVersion: 2,
  request: struct({ key: field(string), keyType: field(int8, "1+") }),
  response: struct({
    throttleTimeMs: field(int32, "1+"),
    errorCode: field(int16),
    errorMessage: field(nullableString, "1+"),
    nodeId: field(int32),
    host: field(string),
    port: field(int32),
  }),
  handle(req, ctx) {
    // keyType 0 is a group, 1 a transactional id.
    const allowed = req.keyType === 1 ? ctx.access.transactionalId(Operation.Describe, req.key) : ctx.access.group(Operation.Describe, req.key);
    if (!allowed) {
      const errorCode = req.keyType === 1 ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED : ErrorCode.GROUP_AUTHORIZATION_FAILED;
      return { throttleTimeMs: 0, errorCode, errorMessage: "Not authorized to describe it", nodeId: -1, host: "", port: -1 };
    }
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: ctx.broker.nodeId, host: ctx.advertised.host, port: ctx.advertised.port };
  },
});
