import { Operation } from "../auth/acl.ts";
import { array, field, int16, int32, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

export const listGroups = defineApi({
  key: 16,
  name: "ListGroups",
  minVersion: 0,
  maxVersion: 2,
  request: struct({}),
  response: struct({
    throttleTimeMs: field(int32, "1+"),
    errorCode: field(int16),
    groups: field(array(struct({ groupId: field(string), protocolType: field(string) }))),
  }),
  handle(_req, ctx) {
    // Describe on the cluster lists every group; otherwise only the groups the principal may describe.
    const all = ctx.access.cluster(Operation.Describe);
    return { throttleTimeMs: 0, errorCode: 0, groups: ctx.broker.coordinator.list().filter((g) => all || ctx.access.group(Operation.Describe, g.groupId)) };
  },
});
