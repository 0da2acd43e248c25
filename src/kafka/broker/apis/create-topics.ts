import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { ConfigSource } from "../config/broker-config.ts";
import { checkTopicOverrides } from "../config/topic-configs.ts";
import { array, bool, field, int16, int32, int8, message, nullableArray, nullableString, string, struct, tagged, uuid, ZERO_UUID } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

const topic = struct({
  name: field(string),
  numPartitions: field(int32),
  replicationFactor: field(int16),
  assignments: field(array(struct({ partitionIndex: field(int32), brokerIds: field(array(int32)) }))),
  configs: field(array(struct({ name: field(string), value: field(nullableString) }))),
});

const topicConfig = {
  name: field(string, "5+"),
  value: field(nullableString, "5+"),
  readOnly: field(bool, "5+"),
  configSource: field(int8, "5+", -1),
  isSensitive: field(bool, "5+"),
};

const messages: Record<number, string> = {
  [ErrorCode.TOPIC_ALREADY_EXISTS]: "Topic already exists.",
  [ErrorCode.INVALID_TOPIC_EXCEPTION]: "Invalid topic name.",
  [ErrorCode.INVALID_PARTITIONS]: "Invalid number of partitions.",
  [ErrorCode.TOPIC_AUTHORIZATION_FAILED]: "Not authorized to create this topic (Create on the topic or the cluster).",
  [ErrorCode.INVALID_REPLICATION_FACTOR]: "This broker is a single node: replication factor must be 1.",
};

/** Versions 0–7: v5 is flexible and describes the created topic, v7 gives its id. */
export const createTopics = defineApi({
  key: 19,
  name: "CreateTopics",
  minVersion: 0,
  maxVersion: 7,
  request: message("5+", { topics: field(array(topic)), timeoutMs: field(int32), validateOnly: field(bool, "1+") }),
  response: message("5+", {
    throttleTimeMs: field(int32, "2+"),
    topics: field(
      array(
        struct({
          name: field(string),
          topicId: field(uuid, "7+"),
          errorCode: field(int16),
          errorMessage: field(nullableString, "1+"),
          topicConfigErrorCode: tagged(0, int16, "5+", 0),
          numPartitions: field(int32, "5+", -1),
          replicationFactor: field(int16, "5+", -1),
          configs: field(nullableArray(struct(topicConfig)), "5+"),
        }),
      ),
    ),
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
        if (!ctx.access.cluster(Operation.Create) && !ctx.access.topic(Operation.Create, t.name)) errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        else if (t.replicationFactor > 1) errorCode = ErrorCode.INVALID_REPLICATION_FACTOR;
        else if (req.validateOnly) errorCode = topics.checkNew(t.name, partitions, configs);
        else errorCode = topics.create(t.name, partitions, configs);
        if (errorCode === ErrorCode.NONE && !req.validateOnly) ctx.broker.log.info("topic created", { topic: t.name, partitions, configs });
        const ok = errorCode === ErrorCode.NONE;
        return {
          name: t.name,
          topicId: ok && !req.validateOnly ? topics.idOf(t.name) : ZERO_UUID,
          errorCode,
          errorMessage: errorCode === ErrorCode.INVALID_CONFIG ? configProblem : (messages[errorCode] ?? null),
          numPartitions: ok ? partitions : -1,
          replicationFactor: ok ? 1 : -1,
          configs: ok ? topics.config.describeTopic(configs).map((c) => ({ name: c.name, value: c.value, readOnly: c.readOnly, configSource: ConfigSource[c.source], isSensitive: false })) : null,
        };
      }),
    };
  },
});
