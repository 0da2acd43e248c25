import { metadata } from "../../../../src/kafka/broker/apis/metadata.ts";
import { ZERO_UUID } from "../../../../src/kafka/broker/protocol/schema.ts";

/** A Metadata request for these topic names (null: all topics), every other field at its default. */
export const metadataRequest = (names: string[] | null, allowAutoTopicCreation = true) => ({
  ...metadata.request.empty(),
  topics: names === null ? null : names.map((name) => ({ topicId: ZERO_UUID, name })),
  allowAutoTopicCreation,
});
