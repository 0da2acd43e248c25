/** Kafka's ACL vocabulary, with the protocol's numeric codes (DescribeAcls, CreateAcls, DeleteAcls). */
export const ResourceType = { Unknown: 0, Any: 1, Topic: 2, Group: 3, Cluster: 4, TransactionalId: 5, DelegationToken: 6, User: 7 } as const;
export const PatternType = { Unknown: 0, Any: 1, Match: 2, Literal: 3, Prefixed: 4 } as const;
export const Permission = { Unknown: 0, Any: 1, Deny: 2, Allow: 3 } as const;
export const Operation = {
  Unknown: 0,
  Any: 1,
  All: 2,
  Read: 3,
  Write: 4,
  Create: 5,
  Delete: 6,
  Alter: 7,
  Describe: 8,
  ClusterAction: 9,
  DescribeConfigs: 10,
  AlterConfigs: 11,
  IdempotentWrite: 12,
  CreateTokens: 13,
  DescribeTokens: 14,
} as const;
export type OperationName = Exclude<keyof typeof Operation, "Unknown" | "Any">;

/** The one resource name of the cluster resource. */
export const CLUSTER = "kafka-cluster";
export const WILDCARD = "*";

export interface AclBinding {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly patternType: number;
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  readonly permissionType: number;
}

/** A DescribeAcls / DeleteAcls filter: null names and Any codes match everything. */
export interface AclFilter {
  readonly resourceType: number;
  readonly resourceName: string | null;
  readonly patternType: number;
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: number;
  readonly permissionType: number;
}

const concreteResource = new Set<number>([ResourceType.Topic, ResourceType.Group, ResourceType.Cluster, ResourceType.TransactionalId, ResourceType.DelegationToken, ResourceType.User]);
const concreteOperation = new Set<number>(Object.values(Operation).filter((o) => o >= Operation.All));

/** Why a binding cannot be created, as CreateAcls reports it, or null when it is valid. */
export function invalidBinding(b: AclBinding): string | null {
  if (!concreteResource.has(b.resourceType)) return `resource type ${b.resourceType} is not a concrete type`;
  if (b.patternType !== PatternType.Literal && b.patternType !== PatternType.Prefixed) return `pattern type ${b.patternType} must be LITERAL (3) or PREFIXED (4)`;
  if (b.resourceName === "") return "the resource name is empty";
  if (b.resourceType === ResourceType.Cluster && b.resourceName !== CLUSTER) return `the cluster resource is named ${CLUSTER}`;
  if (!/^[^:]+:.+$/.test(b.principal)) return `principal ${JSON.stringify(b.principal)} is not of the form Type:name (User:alice)`;
  if (b.host === "") return "the host is empty (use * for any host)";
  if (!concreteOperation.has(b.operation)) return `operation ${b.operation} is not a concrete operation`;
  if (b.permissionType !== Permission.Allow && b.permissionType !== Permission.Deny) return `permission type ${b.permissionType} must be DENY (2) or ALLOW (3)`;
  return null;
}

/** Why a filter is unusable, or null. */
export function invalidFilter(f: AclFilter): string | null {
  if (f.resourceType === ResourceType.Unknown) return "resource type UNKNOWN";
  if (f.patternType === PatternType.Unknown) return "pattern type UNKNOWN";
  if (f.operation === Operation.Unknown) return "operation UNKNOWN";
  if (f.permissionType === Permission.Unknown) return "permission type UNKNOWN";
  return null;
}

/** Does the resource pattern of `b` match the filter (MATCH: the bindings that would apply to that name)? */
function patternMatches(f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.Any && f.resourceType !== b.resourceType) return false;
  if (f.patternType === PatternType.Match) {
    if (f.resourceName === null) return true;
    if (b.patternType === PatternType.Literal) return b.resourceName === f.resourceName || b.resourceName === WILDCARD;
    return f.resourceName.startsWith(b.resourceName);
  }
  if (f.patternType !== PatternType.Any && f.patternType !== b.patternType) return false;
  return f.resourceName === null || f.resourceName === b.resourceName;
}

export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  return (
    patternMatches(f, b) &&
    (f.principal === null || f.principal === b.principal) &&
    (f.host === null || f.host === b.host) &&
    (f.operation === Operation.Any || f.operation === b.operation) &&
    (f.permissionType === Permission.Any || f.permissionType === b.permissionType)
  );
}

export const sameBinding = (a: AclBinding, b: AclBinding) =>
  a.resourceType === b.resourceType &&
  a.resourceName === b.resourceName &&
  a.patternType === b.patternType &&
  a.principal === b.principal &&
  a.host === b.host &&
  a.operation === b.operation &&
  a.permissionType === b.permissionType;
