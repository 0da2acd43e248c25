import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, bool, field, int16, int32, nullableArray, nullableString, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

const partition = struct({
  errorCode: field(int16),
  partitionIndex: field(int32),
  leaderId: field(int32),
  replicaNodes: field(array(int32)),
  isrNodes: field(array(int32)),
  offlineReplicas: field(array(int32), "5+"),
});

const topic = struct({
  errorCode: field(int16),
  name: field(string),
  isInternal: field(bool, "1+"),
  partitions: field(array(partition)),
});

export const metadata = defineApi({
  key: 3,
  name: "Metadata",
  minVersion: 0,
  maxVersion: 6,
  request: struct({
    topics: field(nullableArray(struct({ name: field(string) }))),
    allowAutoTopicCreation: field(bool, "4+", true),
  }),
  response: struct({
    throttleTimeMs: field(int32, "3+"),
    brokers: field(array(struct({ nodeId: field(int32), host: field(string), port: field(int32), rack: field(nullableString, "1+") }))),
    clusterId: field(nullableString, "2+"),
    controllerId: field(int32, "1+", -1),
    topics: field(array(topic)),
  }),
  handle(req, ctx) {
    const { topics, nodeId } = ctx.broker;
    // v0: an empty list means all topics; v1+: null means all, empty means none.
    const all = req.topics === null || (ctx.version === 0 && req.topics.length === 0);
    // Topics the principal may not describe are left out of "all" and refused when asked for by name.
    const names = all ? topics.names().filter((name) => ctx.access.topic(Operation.Describe, name)) : [...new Set(req.topics!.map((t) => t.name))];
    const mayCreate = ctx.broker.autoCreateTopics && !all && (ctx.version <= 3 || req.allowAutoTopicCreation);
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId, host: ctx.advertised.host, port: ctx.advertised.port, rack: null }],
      clusterId: ctx.broker.clusterId,
      controllerId: nodeId,
      topics: names.map((name) => {
        let errorCode: number = ErrorCode.NONE;
        if (!ctx.access.topic(Operation.Describe, name)) return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, isInternal: false, partitions: [] };
        if (!topics.get(name)) {
          const creatable = mayCreate && (ctx.access.cluster(Operation.Create) || ctx.access.topic(Operation.Create, name));
          errorCode = creatable ? topics.create(name) : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          if (errorCode === ErrorCode.NONE) ctx.broker.log.info("topic auto-created", { topic: name });
        }
        const partitions = topics.get(name) ?? [];
        return {
          errorCode,
          name,
          isInternal: false,
          partitions: partitions.map((p) => ({ errorCode: 0, partitionIndex: p.index, leaderId: nodeId, replicaNodes: [nodeId], isrNodes: [nodeId], offlineReplicas: [] })),
        };
      }),
    };
  },
});
