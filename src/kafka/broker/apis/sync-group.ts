import { Operation } from "../auth/acl.ts";
import { EMPTY, holdRequest, type SyncResult } from "../groups/member.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, bytes, field, int16, int32, message, nullableString, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

/** Versions 0–5: v3 adds static members' instance ids, v4 is flexible, v5 names the protocol type and name. */
export const syncGroup = defineApi({
  key: 14,
  name: "SyncGroup",
  minVersion: 0,
  maxVersion: 5,
  request: message("4+", {
    groupId: field(string),
    generationId: field(int32),
    memberId: field(string),
    groupInstanceId: field(nullableString, "3+"),
    protocolType: field(nullableString, "5+", null),
    protocolName: field(nullableString, "5+", null),
    assignments: field(array(struct({ memberId: field(string), assignment: field(bytes) }))),
  }),
  response: message("4+", {
    throttleTimeMs: field(int32, "1+"),
    errorCode: field(int16),
    protocolType: field(nullableString, "5+", null),
    protocolName: field(nullableString, "5+", null),
    assignment: field(bytes),
  }),
  handle(req, ctx) {
    const { coordinator } = ctx.broker;
    if (!ctx.access.group(Operation.Read, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, protocolType: null, protocolName: null, assignment: EMPTY };
    const group = () => coordinator.group(req.groupId);
    // v5+: a member naming a protocol type or name other than the group's is refused, as Kafka does.
    const g = group();
    const differs = (asked: string | null, actual: string | null) => asked !== null && actual !== null && asked !== actual;
    if (g && (differs(req.protocolType, g.protocolType) || differs(req.protocolName, g.protocolName))) return { throttleTimeMs: 0, errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, protocolType: null, protocolName: null, assignment: EMPTY };
    const assignments = new Map(req.assignments.map((a) => [a.memberId, a.assignment.slice()]));
    return new Promise<SyncResult>((resolve) => {
      coordinator.sync(req.groupId, req.memberId, req.generationId, assignments, holdRequest(resolve, ctx.alive, ctx.onClose));
    }).then((r) => {
      const ok = r.errorCode === ErrorCode.NONE;
      return { throttleTimeMs: 0, ...r, protocolType: ok ? (group()?.protocolType ?? null) : null, protocolName: ok ? (group()?.protocolName ?? null) : null };
    });
  },
});
