import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { field, int16, int32, message, nullableString, string } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

export const heartbeat = defineApi({
  key: 12,
  name: "Heartbeat",
  minVersion: 0,
  maxVersion: 4,
  request: message("4+", { groupId: field(string), generationId: field(int32), memberId: field(string), groupInstanceId: field(nullableString, "3+") }),
  response: message("4+", { throttleTimeMs: field(int32, "1+"), errorCode: field(int16) }),
  handle: (req, ctx) => ({
    throttleTimeMs: 0,
    errorCode: ctx.access.group(Operation.Read, req.groupId) ? ctx.broker.coordinator.heartbeat(req.groupId, req.memberId, req.generationId) : ErrorCode.GROUP_AUTHORIZATION_FAILED,
  }),
});
