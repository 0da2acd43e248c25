import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, bytes, field, int16, int32, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

const member = struct({ memberId: field(string), clientId: field(string), clientHost: field(string), memberMetadata: field(bytes), memberAssignment: field(bytes) });

export const describeGroups = defineApi({
  key: 15,
  name: "DescribeGroups",
  minVersion: 0,
  maxVersion: 2,
  request: struct({ groups: field(array(string)) }),
  response: struct({
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
        }),
      ),
    ),
  }),
  handle(req, ctx) {
    const { coordinator } = ctx.broker;
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => {
        if (!ctx.access.group(Operation.Describe, groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId, groupState: "", protocolType: "", protocolData: "", members: [] };
        const g = coordinator.group(groupId);
        if (!g) {
          const known = coordinator.offsets.groups().includes(groupId);
          return { errorCode: ErrorCode.NONE, groupId, groupState: known ? "Empty" : "Dead", protocolType: "", protocolData: "", members: [] };
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
            clientId: m.request.clientId,
            clientHost: m.request.clientHost,
            memberMetadata: m.metadataFor(protocol),
            memberAssignment: m.assignment,
          })),
        };
      }),
    };
  },
});
