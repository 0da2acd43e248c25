import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

export const deleteTopics = defineApi({
  key: 20,
  name: "DeleteTopics",
  minVersion: 0,
  maxVersion: 3,
  request: struct({ topicNames: field(array(string)), timeoutMs: field(int32) }),
  response: struct({
    throttleTimeMs: field(int32, "1+"),
    responses: field(array(struct({ name: field(string), errorCode: field(int16) }))),
  }),
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      responses: req.topicNames.map((name) => {
        const errorCode = ctx.access.topic(Operation.Delete, name) ? ctx.broker.topics.delete(name) : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        if (errorCode === 0) ctx.broker.log.info("topic deleted", { topic: name });
        return { name, errorCode };
      }),
    };
  },
});
