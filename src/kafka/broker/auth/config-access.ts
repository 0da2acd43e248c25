import { ErrorCode } from "../protocol/errors.ts";
import type { Access } from "./authorizer.ts";

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;

/**
 * DescribeConfigs and (Incremental)AlterConfigs need DescribeConfigs / AlterConfigs on the topic, or on
 * the cluster for a broker resource, as in Kafka; the refusal is per resource. Null when allowed (or a
 * resource type the handler refuses on its own).
 */
export function configDenied(access: Access, operation: number, resourceType: number, name: string): { errorCode: number; errorMessage: string } | null {
  if (resourceType === TOPIC && !access.topic(operation, name)) return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `Not authorized for the configs of topic ${name}.` };
  if ((resourceType === BROKER || resourceType === BROKER_LOGGER) && !access.cluster(operation)) {
    return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: "Not authorized for the broker's configs." };
  }
  return null;
}
