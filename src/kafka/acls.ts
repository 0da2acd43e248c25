import { deadLetterTopic, ingressTopics, internalTopics, Topics } from "../events/topics.ts"

export interface AclPlan {
  /** The principal every Loyaltea service connects as, e.g. `User:loyaltea`. */
  readonly services: string
  /** One principal per shop that produces its events to Kafka directly. */
  readonly shops: ReadonlyArray<string>
  /** Principals that only read the credits (notifications, a data warehouse). */
  readonly readers: ReadonlyArray<string>
  readonly groupPrefix: string
}

const topicArgs = (topics: ReadonlyArray<string>) => topics.map((topic) => `--topic ${topic}`).join(" ")
const command = (principal: string, rest: string) =>
  `kafka-acls.sh --bootstrap-server "$KAFKA" --command-config admin.properties --add --allow-principal ${principal} ${rest}`

/**
 * The ACLs a production cluster needs, as `kafka-acls.sh` commands: the services may do everything
 * on their topics and groups; a shop may only write (and describe) the ingress topics; a reader may
 * only read `reward-notify`. With `allow.everyone.if.no.acl.found=false` nothing else is allowed, so
 * no shop can write a `reward` (points) or `fulfillment` event itself.
 */
export const aclCommands = (plan: AclPlan): ReadonlyArray<string> => [
  command(plan.services, `--operation Read --operation Write --operation Describe --operation Create ${topicArgs([...ingressTopics, ...internalTopics])}`),
  command(plan.services, `--operation Read --operation Describe --resource-pattern-type prefixed --group ${plan.groupPrefix}`),
  ...plan.shops.map((shop) => command(shop, `--operation Write --operation Describe ${topicArgs(ingressTopics)}`)),
  ...plan.readers.flatMap((reader) => [
    command(reader, `--operation Read --operation Describe ${topicArgs([Topics.rewardNotify, deadLetterTopic(Topics.rewardNotify)])}`),
    command(reader, `--operation Read --resource-pattern-type prefixed --group ${reader.replace(/^User:/, "")}-`)
  ])
]
