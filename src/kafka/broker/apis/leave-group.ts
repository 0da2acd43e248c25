import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, message, nullableString, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

export const leaveGroup = defineApi({
  key: 13,
  name: "LeaveGroup",
  minVersion: 0,
  maxVersion: 5,
  request: message("4+", {
    groupId: field(string),
    memberId: field(string, "0-2"),
    members: field(array(struct({ memberId: field(string), groupInstanceId: field(nullableString), reason: field(nullableString, "5+", null) })), "3+"),
  }),
  response: message("4+", {
    throttleTimeMs: field(int32, "1+"),
    errorCode: field(int16),
    members: field(array(struct({ memberId: field(string), groupInstanceId: field(nullableString), errorCode: field(int16) })), "3+"),
  }),
  handle(req, ctx) {
    const { coordinator } = ctx.broker;
    if (!ctx.access.group(Operation.Read, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    if (ctx.version < 3) return { throttleTimeMs: 0, errorCode: coordinator.leave(req.groupId, req.memberId), members: [] };
    const members = req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: coordinator.leave(req.groupId, m.memberId) }));
    return { throttleTimeMs: 0, errorCode: 0, members };
  },
});
