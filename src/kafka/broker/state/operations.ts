/** Kafka's ACL operation codes, as the authorized-operations bit fields of Metadata and DescribeGroups use them. */
export const AclOperation = {
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const;

/** "Not asked for": the value Kafka puts in an authorized-operations field the client did not request. */
export const OPERATIONS_NOT_REQUESTED = -2147483648;

const bits = (...ops: number[]) => ops.reduce((acc, op) => acc | (1 << op), 0);
const A = AclOperation;

/** Every operation that exists on each resource type: what a client may do when no ACL restricts it. */
export const allOperations = {
  topic: bits(A.READ, A.WRITE, A.CREATE, A.DELETE, A.ALTER, A.DESCRIBE, A.DESCRIBE_CONFIGS, A.ALTER_CONFIGS),
  group: bits(A.READ, A.DESCRIBE, A.DELETE),
  cluster: bits(A.CREATE, A.ALTER, A.DESCRIBE, A.CLUSTER_ACTION, A.DESCRIBE_CONFIGS, A.ALTER_CONFIGS, A.IDEMPOTENT_WRITE),
} as const;
