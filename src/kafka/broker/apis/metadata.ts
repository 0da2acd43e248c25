import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, bool, field, int16, int32, message, nullableArray, nullableString, string, struct, uuid, ZERO_UUID } from "../protocol/schema.ts";
import { OPERATIONS_NOT_REQUESTED } from "../state/operations.ts";
import { defineApi } from "./api.ts";

const partition = struct({
  errorCode: field(int16),
  partitionIndex: field(int32),
  leaderId: field(int32),
  leaderEpoch: field(int32, "7+", -1),
  replicaNodes: field(array(int32)),
  isrNodes: field(array(int32)),
  offlineReplicas: field(array(int32), "5+"),
});

const topic = struct({
  errorCode: field(int16),
  name: field(nullableString),
  topicId: field(uuid, "10+"),
  isInternal: field(bool, "1+"),
  partitions: field(array(partition)),
  topicAuthorizedOperations: field(int32, "8+", OPERATIONS_NOT_REQUESTED),
});

/** Versions 0–12: v9 is flexible, v10 adds topic ids (and asking by id), v12 a null name for an unknown id. */
export const metadata = defineApi({
  key: 3,
  name: "Metadata",
  minVersion: 0,
  maxVersion: 12,
  request: message("9+", {
    topics: field(nullableArray(struct({ topicId: field(uuid, "10+"), name: field(nullableString) }))),
    allowAutoTopicCreation: field(bool, "4+", true),
    includeClusterAuthorizedOperations: field(bool, "8-10"),
    includeTopicAuthorizedOperations: field(bool, "8+"),
  }),
  response: message("9+", {
    throttleTimeMs: field(int32, "3+"),
    brokers: field(array(struct({ nodeId: field(int32), host: field(string), port: field(int32), rack: field(nullableString, "1+") }))),
    clusterId: field(nullableString, "2+"),
    controllerId: field(int32, "1+", -1),
    topics: field(array(topic)),
    clusterAuthorizedOperations: field(int32, "8-10", OPERATIONS_NOT_REQUESTED),
  }),
  handle(req, ctx) {
    const { topics, nodeId } = ctx.broker;
    // v0: an empty list means all topics; v1+: null means all, empty means none.
    const all = req.topics === null || (ctx.version === 0 && req.topics.length === 0);
    // Topics the principal may not describe are left out of "all" and refused when asked for.
    const asked = all ? topics.names().filter((name) => ctx.access.topic(Operation.Describe, name)).map((name) => ({ name, topicId: ZERO_UUID })) : req.topics!;
    const mayCreate = ctx.broker.autoCreateTopics && !all && (ctx.version <= 3 || req.allowAutoTopicCreation);
    const operationsOf = (name: string) => (req.includeTopicAuthorizedOperations ? ctx.access.operations("topic", name) : OPERATIONS_NOT_REQUESTED);
    const seen = new Set<string>();
    const answers = [];
    for (const t of asked) {
      // A topic asked for by id (v10+) has a null name; an unknown id answers UNKNOWN_TOPIC_ID.
      const byId = t.name === null || t.name === "";
      const name = byId ? topics.nameOf(t.topicId) : t.name!;
      const key = name ?? `id:${t.topicId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (name === undefined) {
        // The name may only be null from v12 on; v10–11 answer an empty one.
        const unnamed = ctx.version >= 12 ? null : "";
        answers.push({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: unnamed, topicId: t.topicId, isInternal: false, partitions: [], topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED });
        continue;
      }
      if (!ctx.access.topic(Operation.Describe, name)) {
        answers.push({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, topicId: ZERO_UUID, isInternal: false, partitions: [], topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED });
        continue;
      }
      let errorCode: number = ErrorCode.NONE;
      if (!topics.get(name)) {
        const creatable = mayCreate && !byId && (ctx.access.cluster(Operation.Create) || ctx.access.topic(Operation.Create, name));
        errorCode = creatable ? topics.create(name) : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        if (errorCode === ErrorCode.NONE) ctx.broker.log.info("topic auto-created", { topic: name });
      }
      const partitions = topics.get(name) ?? [];
      answers.push({
        errorCode,
        name,
        topicId: topics.idOf(name),
        isInternal: false,
        partitions: partitions.map((p) => ({ errorCode: 0, partitionIndex: p.index, leaderId: nodeId, leaderEpoch: -1, replicaNodes: [nodeId], isrNodes: [nodeId], offlineReplicas: [] })),
        topicAuthorizedOperations: operationsOf(name),
      });
    }
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId, host: ctx.advertised.host, port: ctx.advertised.port, rack: null }],
      clusterId: ctx.broker.clusterId,
      controllerId: nodeId,
      topics: answers,
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? ctx.access.operations("cluster", "") : OPERATIONS_NOT_REQUESTED,
    };
  },
});
