import { Operation } from "../auth/acl.ts";
import { groupSubscriptions } from "../groups/subscription.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, field, int16, int32, message, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

/**
 * Version 0. Removes a group's committed offsets for the partitions named, durably; partitions of topics
 * a live member is subscribed to answer GROUP_SUBSCRIBED_TO_TOPIC, as in Kafka. Needs Delete on the group
 * and Read on each topic.
 */
export const offsetDelete = defineApi({
  key: 47,
  name: "OffsetDelete",
  minVersion: 0,
  maxVersion: 0,
  request: message("none", { groupId: field(string), topics: field(array(struct({ name: field(string), partitions: field(array(struct({ partitionIndex: field(int32) }))) }))) }),
  response: message("none", {
    errorCode: field(int16),
    throttleTimeMs: field(int32),
    topics: field(array(struct({ name: field(string), partitions: field(array(struct({ partitionIndex: field(int32), errorCode: field(int16) }))) }))),
  }),
  async handle(req, ctx) {
    const { coordinator, topics } = ctx.broker;
    const group = coordinator.group(req.groupId);
    const fail = (errorCode: number) => ({ errorCode, throttleTimeMs: 0, topics: [] });
    if (!ctx.access.group(Operation.Delete, req.groupId)) return fail(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    if (!group && !coordinator.offsets.groups().includes(req.groupId)) return fail(ErrorCode.GROUP_ID_NOT_FOUND);
    const live = group !== undefined && group.members.size > 0;
    const inUse = live ? groupSubscriptions(group) : new Set<string>();
    if (inUse === null) return fail(ErrorCode.NON_EMPTY_GROUP);
    const doomed: { topic: string; partition: number }[] = [];
    const response = {
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map(({ partitionIndex }) => {
          let errorCode: number = ErrorCode.NONE;
          if (!ctx.access.topic(Operation.Read, t.name)) errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
          else if (!topics.partition(t.name, partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          else if (inUse.has(t.name)) errorCode = ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
          else doomed.push({ topic: t.name, partition: partitionIndex });
          return { partitionIndex, errorCode };
        }),
      })),
    };
    try {
      await coordinator.offsets.deletePartitions(req.groupId, doomed);
    } catch (e) {
      ctx.broker.log.error("offset deletion not persisted", { group: req.groupId, error: String(e) });
      for (const t of response.topics) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
    }
    return response;
  },
});
