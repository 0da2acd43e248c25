import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, message, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

/** Versions 0–2: v2 is flexible. */
export const deleteGroups = defineApi({
  key: 42,
  name: "DeleteGroups",
  minVersion: 0,
  maxVersion: 2,
  request: message("2+", { groupsNames: field(array(string)) }),
  response: message("2+", { throttleTimeMs: field(int32), results: field(array(struct({ groupId: field(string), errorCode: field(int16) }))) }),
  async handle(req, ctx) {
    const results = [];
    for (const groupId of req.groupsNames) {
      const errorCode = ctx.access.group(Operation.Delete, groupId) ? await ctx.broker.coordinator.delete(groupId) : ErrorCode.GROUP_AUTHORIZATION_FAILED;
      results.push({ groupId, errorCode });
    }
    return { throttleTimeMs: 0, results };
  },
});
