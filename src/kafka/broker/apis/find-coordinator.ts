import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, int8, message, nullableString, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

/**
 * This broker coordinates every group (and would every transaction). Versions 0–4: v3 is flexible, v4
 * asks for several keys at once and gets one coordinator per key.
 */
export const findCoordinator = defineApi({
  key: 10,
  name: "FindCoordinator",
  minVersion: 0,
  maxVersion: 4,
  request: message("3+", { key: field(string, "0-3"), keyType: field(int8, "1+"), coordinatorKeys: field(array(string), "4+") }),
  response: message("3+", {
    throttleTimeMs: field(int32, "1+"),
    errorCode: field(int16, "0-3"),
    errorMessage: field(nullableString, "1-3"),
    nodeId: field(int32, "0-3"),
    host: field(string, "0-3"),
    port: field(int32, "0-3"),
    coordinators: field(
      array(
        struct({
          key: field(string, "4+"),
          nodeId: field(int32, "4+"),
          host: field(string, "4+"),
          port: field(int32, "4+"),
          errorCode: field(int16, "4+"),
          errorMessage: field(nullableString, "4+"),
        }),
      ),
      "4+",
    ),
  }),
  handle: (req, ctx) => {
    const self = { nodeId: ctx.broker.nodeId, host: ctx.advertised.host, port: ctx.advertised.port, errorCode: 0, errorMessage: null };
    // keyType 0 is a group, 1 a transactional id; each needs Describe on it.
    const answer = (key: string) => {
      const allowed = req.keyType === 1 ? ctx.access.transactionalId(Operation.Describe, key) : ctx.access.group(Operation.Describe, key);
      if (allowed) return self;
      const errorCode = req.keyType === 1 ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED : ErrorCode.GROUP_AUTHORIZATION_FAILED;
      return { nodeId: -1, host: "", port: -1, errorCode, errorMessage: `Not authorized to describe ${key}` };
    };
    const coordinators = ctx.version >= 4 ? req.coordinatorKeys.map((key) => ({ key, ...answer(key) })) : [];
    return { throttleTimeMs: 0, ...(ctx.version >= 4 ? self : answer(req.key)), coordinators };
  },
});
