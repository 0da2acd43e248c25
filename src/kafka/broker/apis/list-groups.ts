import { Operation } from "../auth/acl.ts";
import { array, field, int16, int32, message, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

/** Versions 0–4: v3 is flexible, v4 filters by state and names each group's state. */
export const listGroups = defineApi({
  key: 16,
  name: "ListGroups",
  minVersion: 0,
  maxVersion: 4,
  request: message("3+", { statesFilter: field(array(string), "4+") }),
  response: message("3+", {
    throttleTimeMs: field(int32, "1+"),
    errorCode: field(int16),
    groups: field(array(struct({ groupId: field(string), protocolType: field(string), groupState: field(string, "4+") }))),
  }),
  handle: (req, ctx) => {
    const { coordinator } = ctx.broker;
    // Describe on the cluster lists every group; otherwise only the groups the principal may describe.
    const everyGroup = ctx.access.cluster(Operation.Describe);
    const groups = coordinator.list().filter((g) => everyGroup || ctx.access.group(Operation.Describe, g.groupId)).map((g) => ({ ...g, groupState: coordinator.group(g.groupId)?.state ?? "Empty" }));
    // State names compare case-insensitively, as Kafka's do.
    const wanted = new Set(req.statesFilter.map((s) => s.toLowerCase()));
    return { throttleTimeMs: 0, errorCode: 0, groups: wanted.size === 0 ? groups : groups.filter((g) => wanted.has(g.groupState.toLowerCase())) };
  },
});
