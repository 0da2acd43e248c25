/** The topics of the loyalty flow (see the event contracts in the README). */
export const Topics = {
  buy: "buy",
  activity: "activity",
  refund: "refund",
  fulfillment: "fulfillment",
  fulfillmentRevoked: "fulfillment-revoked",
  reward: "reward",
  rewardRevoked: "reward-revoked",
  rewardNotify: "reward-notify",
  tenant: "tenant",
  rewardDefinition: "reward-definition",
  backfillRequest: "backfill-request",
  backfillFulfillment: "backfill-fulfillment"
} as const
export type Topic = (typeof Topics)[keyof typeof Topics]

/** Where undecodable or invalid events of `topic` go, with the reason. */
export const deadLetterTopic = (topic: string) => `${topic}.dlq`

/** The only topics shops write to (their Kafka principals get Write on these and nothing else). */
export const ingressTopics: ReadonlyArray<Topic> = [Topics.buy, Topics.activity, Topics.refund]

/**
 * Topics only Loyaltea's own services write: what is on them is trusted to have been judged
 * already (a `reward` event is credited as it is), so no one else may produce to them.
 */
export const internalTopics: ReadonlyArray<string> = [
  Topics.fulfillment,
  Topics.fulfillmentRevoked,
  Topics.reward,
  Topics.rewardRevoked,
  Topics.rewardNotify,
  Topics.tenant,
  Topics.rewardDefinition,
  Topics.backfillRequest,
  Topics.backfillFulfillment,
  ...Object.values(Topics).map(deadLetterTopic)
]

export const allTopics: ReadonlyArray<string> = [...ingressTopics, ...internalTopics]

/**
 * Settings a topic is created with. `tenant` is compacted: the newest version of every tenant stays
 * readable forever, so a service started years later still learns every tenant from it.
 */
export const topicConfigs: Readonly<Record<string, ReadonlyArray<{ readonly name: string; readonly value: string }>>> = {
  [Topics.tenant]: [{ name: "cleanup.policy", value: "compact" }],
  [Topics.rewardDefinition]: [{ name: "cleanup.policy", value: "compact" }]
}

/** All of one user's events share a key, hence a partition, hence one consumer, in order. */
export const eventKey = (tenant: string, userId: string) => `${tenant}:${userId}`
