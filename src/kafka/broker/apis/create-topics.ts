import { ErrorCode } from "../protocol/errors.ts";
import { checkTopicOverrides } from "../config/topic-configs.ts";
import { array, bool, field, int16, int32, message, nullableString, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

const topic = struct({
  name: field(string),
  numPartitions: field(int32),
  replicationFactor: field(int16),
  assignments: field(array(struct({ partitionIndex: field(int32), brokerIds: field(array(int32)) }))),
  configs: field(array(struct({ name: field(string), value: field(nullableString) }))),
});

const messages: Record<number, string> = {
  [ErrorCode.TOPIC_ALREADY_EXISTS]: "Topic already exists.",
  [ErrorCode.INVALID_TOPIC_EXCEPTION]: "Invalid topic name.",
  [ErrorCode.INVALID_PARTITIONS]: "Invalid number of partitions.",
  [ErrorCode.INVALID_REPLICATION_FACTOR]: "This broker is a single node: replication factor must be 1.",
};

export const createTopics = defineApi({
  key: 19,
  name: "CreateTopics",
  minVersion: 0,
  maxVersion: 4,
  request: message("5+", { topics: field(array(topic)), timeoutMs: field(int32), validateOnly: field(bool, "1+") }),
  response: message("5+", {
    throttleTimeMs: field(int32, "2+"),
    topics: field(array(struct({ name: field(string), errorCode: field(int16), errorMessage: field(nullableString, "1+") }))),
  }),
  handle(req, ctx) {
    const { topics } = ctx.broker;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const partitions = t.numPartitions === -1 ? (t.assignments.length || topics.defaultPartitions) : t.numPartitions;
        // A null value asks for the default, which is what leaving the config out gives.
        const configs = Object.fromEntries(t.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value!]));
        const configProblem = checkTopicOverrides(configs);
        let errorCode: number = ErrorCode.NONE;
        if (t.replicationFactor > 1) errorCode = ErrorCode.INVALID_REPLICATION_FACTOR;
        else if (req.validateOnly) errorCode = topics.checkNew(t.name, partitions, configs);
        else errorCode = topics.create(t.name, partitions, configs);
        if (errorCode === ErrorCode.NONE && !req.validateOnly) ctx.broker.log.info("topic created", { topic: t.name, partitions, configs });
        const errorMessage = errorCode === ErrorCode.INVALID_CONFIG ? configProblem : (messages[errorCode] ?? null);
        return { name: t.name, errorCode, errorMessage };
      }),
    };
  },
});
