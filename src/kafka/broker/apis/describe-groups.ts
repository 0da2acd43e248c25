import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, bool, bytes, field, int16, int32, message, nullableString, string, struct } from "../protocol/schema.ts";
import { OPERATIONS_NOT_REQUESTED } from "../state/operations.ts";
import { defineApi } from "./api.ts";

const member = struct({
  memberId: field(string),
  groupInstanceId: field(nullableString, "4+", null),
  clientId: field(string),
  clientHost: field(string),
  memberMetadata: field(bytes),
  memberAssignment: field(bytes),
});

/** Versions 0–5: v3 adds authorized operations, v4 static members' instance ids, v5 is flexible. */

export const describeGroups = defineApi({
  key: 15,
  name: "DescribeGroups",
  minVersion: 0,
  maxVersion: 5,
  request: message("5+", { groups: field(array(string)), includeAuthorizedOperations: field(bool, "3+") }),
  response: message("5+", {
    throttleTimeMs: field(int32, "1+"),
    groups: field(
      array(
        struct({
          errorCode: field(int16),
          groupId: field(string),
          groupState: field(string),
          protocolType: field(string),
          protocolData: field(string),
          members: field(array(member)),
          authorizedOperations: field(int32, "3+", OPERATIONS_NOT_REQUESTED),
        }),
      ),
    ),
  }),
  handle(req, ctx) {
    const { coordinator } = ctx.broker;
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => {
        const authorizedOperations = req.includeAuthorizedOperations ? ctx.access.operations("group", groupId) : OPERATIONS_NOT_REQUESTED;
        if (!ctx.access.group(Operation.Describe, groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId, groupState: "", protocolType: "", protocolData: "", members: [], authorizedOperations };
        const g = coordinator.group(groupId);
        if (!g) {
          const known = coordinator.offsets.groups().includes(groupId);
          return { errorCode: ErrorCode.NONE, groupId, groupState: known ? "Empty" : "Dead", protocolType: "", protocolData: "", members: [], authorizedOperations };
        }
        const protocol = g.protocolName ?? "";
        return {
          errorCode: ErrorCode.NONE,
          groupId,
          groupState: g.state,
          protocolType: g.protocolType ?? "",
          protocolData: protocol,
          members: [...g.members.values()].map((m) => ({
            memberId: m.id,
            groupInstanceId: m.request.groupInstanceId,
            clientId: m.request.clientId,
            clientHost: m.request.clientHost,
            memberMetadata: m.metadataFor(protocol),
            memberAssignment: m.assignment,
          })),
          authorizedOperations,
        };
      }),
    };
  },
});
