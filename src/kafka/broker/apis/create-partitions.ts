import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, bool, field, int16, int32, message, nullableArray, nullableString, string, struct } from "../protocol/schema.ts";
import { MAX_PARTITIONS } from "../state/topics.ts";
import { defineApi, type RequestContext } from "./api.ts";

type Outcome = { errorCode: number; errorMessage: string | null };

function grow(name: string, count: number, assignments: { brokerIds: number[] }[] | null, validateOnly: boolean, ctx: RequestContext): Outcome {
  const { topics, nodeId } = ctx.broker;
  if (!ctx.access.topic(Operation.Alter, name)) return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `Not authorized to add partitions to topic ${name}.` };
  const current = topics.get(name)?.length;
  if (current === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${name} does not exist.` };
  if (count <= current) return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `Topic ${name} has ${current} partitions; the new count must be larger, got ${count}.` };
  if (count > MAX_PARTITIONS) return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `At most ${MAX_PARTITIONS} partitions per topic.` };
  if (assignments !== null) {
    if (assignments.length !== count - current)
      return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `${count - current} new partitions need as many assignments, got ${assignments.length}.` };
    if (assignments.some((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== nodeId))
      return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `This broker is a single node: every new partition's replicas must be [${nodeId}].` };
  }
  if (validateOnly) return { errorCode: ErrorCode.NONE, errorMessage: null };
  const errorCode = topics.addPartitions(name, count);
  if (errorCode === ErrorCode.NONE) ctx.broker.log.info("partitions added", { topic: name, from: current, to: count });
  return { errorCode, errorMessage: null };
}

/** Versions 0–3 (flexible from v2). New partitions are empty and appear in Metadata at once. Needs Alter on the topic. */
export const createPartitions = defineApi({
  key: 37,
  name: "CreatePartitions",
  minVersion: 0,
  maxVersion: 3,
  request: message("2+", {
    topics: field(array(struct({ name: field(string), count: field(int32), assignments: field(nullableArray(struct({ brokerIds: field(array(int32)) }))) }))),
    timeoutMs: field(int32),
    validateOnly: field(bool),
  }),
  response: message("2+", {
    throttleTimeMs: field(int32),
    results: field(array(struct({ name: field(string), errorCode: field(int16), errorMessage: field(nullableString) }))),
  }),
  handle(req, ctx) {
    const names = req.topics.map((t) => t.name);
    return {
      throttleTimeMs: 0,
      results: req.topics.map((t) => {
        if (names.indexOf(t.name) !== names.lastIndexOf(t.name)) return { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Topic ${t.name} is named twice.` };
        return { name: t.name, ...grow(t.name, t.count, t.assignments, req.validateOnly, ctx) };
      }),
    };
  },
});
