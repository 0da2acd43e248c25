import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, message, nullableString, string, struct, uuid, ZERO_UUID } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

/** Versions 0–6: v4 is flexible, v5 adds error messages, v6 names topics by name or by id. */
export const deleteTopics = defineApi({
  key: 20,
  name: "DeleteTopics",
  minVersion: 0,
  maxVersion: 6,
  request: message("4+", {
    topics: field(array(struct({ name: field(nullableString, "6+", null), topicId: field(uuid, "6+") })), "6+"),
    topicNames: field(array(string), "0-5"),
    timeoutMs: field(int32),
  }),
  response: message("4+", {
    throttleTimeMs: field(int32, "1+"),
    responses: field(
      array(struct({ name: field(nullableString), topicId: field(uuid, "6+"), errorCode: field(int16), errorMessage: field(nullableString, "5+", null) })),
    ),
  }),
  handle(req, ctx) {
    const { topics } = ctx.broker;
    const asked = ctx.version >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    return {
      throttleTimeMs: 0,
      responses: asked.map(({ name, topicId }) => {
        const resolved = name ?? topics.nameOf(topicId);
        if (resolved === undefined) return { name: null, topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: `No topic has id ${topicId}.` };
        const id = topics.idOf(resolved);
        if (!ctx.access.topic(Operation.Delete, resolved)) return { name: resolved, topicId, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: "Not authorized to delete this topic." };
        const errorCode = topics.delete(resolved);
        if (errorCode === 0) ctx.broker.log.info("topic deleted", { topic: resolved });
        const errorMessage = errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? `Topic ${resolved} does not exist.` : null;
        return { name: resolved, topicId: errorCode === 0 ? id : topicId, errorCode, errorMessage };
      }),
    };
  },
});
