import { Operation } from "../auth/acl.ts";
import { checkTopicOverrides } from "../config/topic-configs.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { RequestContext } from "./api.ts";

/** Kafka's config resource types that this broker has configs for. */
export const ResourceType = { TOPIC: 2, BROKER: 4 } as const;

export type Resource =
  | { readonly type: typeof ResourceType.TOPIC; readonly name: string; readonly configs: Readonly<Record<string, string>> }
  | { readonly type: typeof ResourceType.BROKER }
  | { readonly errorCode: number; readonly errorMessage: string };

export interface Outcome {
  errorCode: number;
  errorMessage: string | null;
}

/**
 * A config resource of a request: a topic, or this broker (by its id, or "" for the cluster default), once
 * the principal may `operation` (DescribeConfigs or AlterConfigs) on it; authorization is checked before
 * existence, so a topic's existence is not told to whoever may not see it.
 */
export function resolveResource(type: number, name: string, operation: typeof Operation.DescribeConfigs | typeof Operation.AlterConfigs, ctx: RequestContext): Resource {
  const verb = operation === Operation.DescribeConfigs ? "describe" : "alter";
  if (type === ResourceType.TOPIC) {
    if (!ctx.access.topic(operation, name)) return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `Not authorized to ${verb} the configs of topic ${name}.` };
    const configs = ctx.broker.topics.configs(name);
    if (!configs) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${name} does not exist.` };
    return { type, name, configs };
  }
  if (type === ResourceType.BROKER) {
    if (!ctx.access.cluster(operation)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: `Not authorized to ${verb} the broker's configs.` };
    if (name !== "" && name !== String(ctx.broker.nodeId)) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Broker ${name} is not this broker (${ctx.broker.nodeId}).` };
    return { type };
  }
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Resource type ${type} has no configs on this broker (topics 2 and the broker 4 do).` };
}

/**
 * Replaces a resource's config overrides: validated as a whole, then persisted and applied to the logs
 * unless `validateOnly`. Broker configs come from the start-up options and are refused.
 */
export function applyOverrides(resource: Resource, overrides: Record<string, string>, validateOnly: boolean, ctx: RequestContext): Outcome {
  if ("errorCode" in resource) return resource;
  if (resource.type === ResourceType.BROKER)
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "Broker configs are static on this broker: they are set by its start-up options." };
  const problem = checkTopicOverrides(overrides);
  if (problem) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: problem };
  if (!validateOnly) {
    ctx.broker.topics.setConfigs(resource.name, overrides);
    ctx.broker.log.info("topic configs changed", { topic: resource.name, configs: overrides });
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null };
}

/** The refusal of an alter request that names a config twice (Kafka answers INVALID_REQUEST), or undefined. */
export function namedTwice(configs: readonly { readonly name: string }[]): Outcome | undefined {
  const names = configs.map((c) => c.name);
  return new Set(names).size === names.length ? undefined : { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "A config is named twice." };
}
