import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, bool, field, int16, int32, nullableString, string, struct } from "../protocol/schema.ts";
import { isValidTopicName } from "../state/topics.ts";
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
  [ErrorCode.TOPIC_AUTHORIZATION_FAILED]: "Not authorized to create this topic (Create on the topic or the cluster).",
  [ErrorCode.INVALID_REPLICATION_FACTOR]: "This broker is a single node: replication factor must be 1.",
};

export const createTopics = defineApi({
  key: 19,
  name: "CreateTopics",
  minVersion: 0,
  maxVersion: 4,
  request: struct({ topics: field(array(topic)), timeoutMs: field(int32), validateOnly: field(bool, "1+") }),
  response: struct({
    throttleTimeMs: field(int32, "2+"),
    topics: field(array(struct({ name: field(string), errorCode: field(int16), errorMessage: field(nullableString, "1+") }))),
  }),
  handle(req, ctx) {
    const { topics } = ctx.broker;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const partitions = t.numPartitions === -1 ? (t.assignments.length || topics.defaultPartitions) : t.numPartitions;
        let errorCode: number = ErrorCode.NONE;
        if (!ctx.access.cluster(Operation.Create) && !ctx.access.topic(Operation.Create, t.name)) errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        else if (t.replicationFactor > 1) errorCode = ErrorCode.INVALID_REPLICATION_FACTOR;
        else if (req.validateOnly) {
          if (!isValidTopicName(t.name)) errorCode = ErrorCode.INVALID_TOPIC_EXCEPTION;
          else if (topics.get(t.name)) errorCode = ErrorCode.TOPIC_ALREADY_EXISTS;
          else if (partitions < 1) errorCode = ErrorCode.INVALID_PARTITIONS;
        } else errorCode = topics.create(t.name, partitions);
        if (errorCode === ErrorCode.NONE && !req.validateOnly) ctx.broker.log.info("topic created", { topic: t.name, partitions });
        return { name: t.name, errorCode, errorMessage: messages[errorCode] ?? null };
      }),
    };
  },
});
