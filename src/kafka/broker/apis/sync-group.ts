import { Operation } from "../auth/acl.ts";
import { holdRequest, type SyncResult } from "../groups/member.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, bytes, field, int16, int32, nullableString, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

export const syncGroup = defineApi({
  key: 14,
  name: "SyncGroup",
  minVersion: 0,
  maxVersion: 3,
  request: struct({
    groupId: field(string),
    generationId: field(int32),
    memberId: field(string),
    groupInstanceId: field(nullableString, "3+"),
    assignments: field(array(struct({ memberId: field(string), assignment: field(bytes) }))),
  }),
  response: struct({ throttleTimeMs: field(int32, "1+"), errorCode: field(int16), assignment: field(bytes) }),
  handle(req, ctx) {
    if (!ctx.access.group(Operation.Read, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, assignment: new Uint8Array(0) };
    const assignments = new Map(req.assignments.map((a) => [a.memberId, a.assignment.slice()]));
    return new Promise<SyncResult>((resolve) => {
      ctx.broker.coordinator.sync(req.groupId, req.memberId, req.generationId, assignments, holdRequest(resolve, ctx.alive, ctx.onClose));
    }).then((r) => ({ throttleTimeMs: 0, ...r }));
  },
});
