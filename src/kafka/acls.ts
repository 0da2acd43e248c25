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

export type AclOperationName = "Read" | "Write" | "Describe" | "Create"

/** One allow rule: a principal may do these operations on these topics, or on the groups of a prefix. */
export type AclGrant =
  | { readonly principal: string; readonly operations: ReadonlyArray<AclOperationName>; readonly topics: ReadonlyArray<string> }
  | { readonly principal: string; readonly operations: ReadonlyArray<AclOperationName>; readonly groupPrefix: string }

/**
 * The ACLs a production cluster needs: the services may do everything on their topics and groups; a
 * shop may only write (and describe) the ingress topics; a reader may only read `reward-notify`. With
 * `allow.everyone.if.no.acl.found=false` nothing else is allowed, so no shop can write a `reward`
 * (points) or `fulfillment` event itself.
 */
export const aclGrants = (plan: AclPlan): ReadonlyArray<AclGrant> => [
  { principal: plan.services, operations: ["Read", "Write", "Describe", "Create"], topics: [...ingressTopics, ...internalTopics] },
  { principal: plan.services, operations: ["Read", "Describe"], groupPrefix: plan.groupPrefix },
  ...plan.shops.map((shop): AclGrant => ({ principal: shop, operations: ["Write", "Describe"], topics: ingressTopics })),
  ...plan.readers.flatMap((reader): ReadonlyArray<AclGrant> => [
    { principal: reader, operations: ["Read", "Describe"], topics: [Topics.rewardNotify, deadLetterTopic(Topics.rewardNotify)] },
    { principal: reader, operations: ["Read"], groupPrefix: `${reader.replace(/^User:/, "")}-` }
  ])
]

const resourceArgs = (grant: AclGrant) =>
  "topics" in grant ? grant.topics.map((topic) => `--topic ${topic}`).join(" ") : `--resource-pattern-type prefixed --group ${grant.groupPrefix}`

/** The grants as `kafka-acls.sh` commands. */
export const aclCommands = (plan: AclPlan): ReadonlyArray<string> =>
  aclGrants(plan).map((grant) =>
    `kafka-acls.sh --bootstrap-server "$KAFKA" --command-config admin.properties --add --allow-principal ${grant.principal} ${grant.operations.map((op) => `--operation ${op}`).join(" ")} ${resourceArgs(grant)}`
  )
