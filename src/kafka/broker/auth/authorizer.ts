import { CLUSTER, type AclBinding, Operation, PatternType, Permission, ResourceType, WILDCARD } from "./acl.ts";
import type { AclStore } from "./acl-store.ts";
import { allOperations } from "../state/operations.ts";

export interface AuthorizerConfig {
  /** Principals allowed everything, ACLs or not (`User:admin`). */
  readonly superUsers: readonly string[];
  /** Kafka's `allow.everyone.if.no.acl.found`: a resource without any ACL is open. Default false. */
  readonly allowEveryoneIfNoAclFound: boolean;
}

/** Operations an allow ACL for `op` also grants, as in Kafka: Read, Write, Delete or Alter imply Describe. */
const grantedBy = (op: number): Set<number> => {
  if (op === Operation.Describe) return new Set([Operation.Describe, Operation.Read, Operation.Write, Operation.Delete, Operation.Alter, Operation.All]);
  if (op === Operation.DescribeConfigs) return new Set([Operation.DescribeConfigs, Operation.AlterConfigs, Operation.All]);
  return new Set([op, Operation.All]);
};

const appliesTo = (b: AclBinding, type: number, name: string) =>
  b.resourceType === type && (b.patternType === PatternType.Prefixed ? name.startsWith(b.resourceName) : b.resourceName === name || b.resourceName === WILDCARD);

/** Kafka's AclAuthorizer: a matching deny wins, then a matching allow; a resource with no ACL at all is closed unless configured open. */
export class Authorizer {
  private readonly superUsers: Set<string>;

  constructor(
    private readonly store: AclStore,
    private readonly config: AuthorizerConfig,
  ) {
    this.superUsers = new Set(config.superUsers);
  }

  authorize(principal: string, host: string, operation: number, resourceType: number, name: string): boolean {
    if (this.superUsers.has(principal)) return true;
    const applying = this.store.all().filter((b) => appliesTo(b, resourceType, name));
    const mine = applying.filter((b) => (b.principal === principal || b.principal === "User:*") && (b.host === host || b.host === WILDCARD));
    if (mine.some((b) => b.permissionType === Permission.Deny && (b.operation === operation || b.operation === Operation.All))) return false;
    if (applying.length === 0) return this.config.allowEveryoneIfNoAclFound;
    const granting = grantedBy(operation);
    return mine.some((b) => b.permissionType === Permission.Allow && granting.has(b.operation));
  }

  /** Whether any topic grants `operation` to the principal (Write on some topic implies IdempotentWrite, KIP-679). */
  anyTopic(principal: string, host: string, operation: number): boolean {
    if (this.superUsers.has(principal)) return true;
    const granting = grantedBy(operation);
    return this.store
      .all()
      .some((b) => b.resourceType === ResourceType.Topic && b.permissionType === Permission.Allow && granting.has(b.operation) && (b.principal === principal || b.principal === "User:*") && (b.host === host || b.host === WILDCARD));
  }
}

/** What one connection may do: its principal judged by the authorizer, or everything when authentication is off. */
export interface Access {
  readonly principal: string;
  topic(operation: number, name: string): boolean;
  group(operation: number, id: string): boolean;
  cluster(operation: number): boolean;
  transactionalId(operation: number, id: string): boolean;
  anyTopic(operation: number): boolean;
  /** The authorized-operations bit field of Metadata and DescribeGroups: what of `allOperations` the principal may do. */
  operations(kind: "topic" | "group" | "cluster", name: string): number;
}

const ofBits = (field: number) => Array.from({ length: 31 }, (_, op) => op).filter((op) => (field & (1 << op)) !== 0);

export const openAccess: Access = {
  principal: "User:ANONYMOUS",
  topic: () => true,
  group: () => true,
  cluster: () => true,
  transactionalId: () => true,
  anyTopic: () => true,
  operations: (kind) => allOperations[kind],
};

export function accessFor(authorizer: Authorizer, principal: string, host: string): Access {
  const can = (op: number, type: number, name: string) => authorizer.authorize(principal, host, op, type, name);
  return {
    principal,
    topic: (op, name) => can(op, ResourceType.Topic, name),
    group: (op, id) => can(op, ResourceType.Group, id),
    cluster: (op) => can(op, ResourceType.Cluster, CLUSTER),
    transactionalId: (op, id) => can(op, ResourceType.TransactionalId, id),
    anyTopic: (op) => authorizer.anyTopic(principal, host, op),
    operations: (kind, name) => {
      const type = kind === "topic" ? ResourceType.Topic : kind === "group" ? ResourceType.Group : ResourceType.Cluster;
      return ofBits(allOperations[kind]).reduce((acc, op) => (can(op, type, kind === "cluster" ? CLUSTER : name) ? acc | (1 << op) : acc), 0);
    },
  };
}
