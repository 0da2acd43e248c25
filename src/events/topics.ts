/** The topics of the loyalty flow (see the event contracts in the README). */
export const Topics = {
  buy: "buy",
  activity: "activity",
  fulfillment: "fulfillment",
  reward: "reward",
  rewardNotify: "reward-notify"
} as const
export type Topic = (typeof Topics)[keyof typeof Topics]

/** Where undecodable or invalid events of `topic` go, with the reason. */
export const deadLetterTopic = (topic: string) => `${topic}.dlq`

export const allTopics: ReadonlyArray<string> = [
  ...Object.values(Topics),
  ...Object.values(Topics).map(deadLetterTopic)
]

/** All of one user's events share a key, hence a partition, hence one consumer, in order. */
export const eventKey = (tenant: string, userId: string) => `${tenant}:${userId}`
