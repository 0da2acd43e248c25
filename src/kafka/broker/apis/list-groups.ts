import { array, field, int16, int32, message, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

export const listGroups = defineApi({
  key: 16,
  name: "ListGroups",
  minVersion: 0,
  maxVersion: 2,
  request: message("3+", {}),
  response: message("3+", {
    throttleTimeMs: field(int32, "1+"),
    errorCode: field(int16),
    groups: field(array(struct({ groupId: field(string), protocolType: field(string) }))),
  }),
  handle: (_req, ctx) => ({ throttleTimeMs: 0, errorCode: 0, groups: ctx.broker.coordinator.list() }),
});
