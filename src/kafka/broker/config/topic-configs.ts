/**
 * The topic configs the broker knows, with Kafka's names, types and broker-level synonyms. Each one is
 * either honoured by the log (retention, segment size, cleanup policy, message size) or fixed by what a
 * single node is (one replica, producer-chosen compression): those accept only their one value, so a
 * client is never told a setting took effect when it did not.
 */

/** Kafka's ConfigType numbers (DescribeConfigs v3+). */
export const ConfigType = { BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7, CLASS: 8, PASSWORD: 9 } as const;
export type ConfigTypeName = keyof typeof ConfigType;

export interface ConfigDefinition {
  readonly name: string;
  readonly type: ConfigTypeName;
  readonly documentation: string;
  /** The reason a value is refused, or null when it is valid. */
  check(value: string): string | null;
}

export interface TopicConfigDefinition extends ConfigDefinition {
  /** The broker config that supplies the default (`log.retention.ms` for `retention.ms`). */
  readonly brokerName: string;
}

const INT_MAX = 2n ** 31n - 1n;
const LONG_MAX = 2n ** 63n - 1n;

const integer =
  (min: bigint, max: bigint) =>
  (value: string): string | null => {
    if (!/^-?\d+$/.test(value)) return `must be an integer, got "${value}"`;
    const n = BigInt(value);
    return n < min || n > max ? `must be between ${min} and ${max}, got ${n}` : null;
  };

const oneOf =
  (allowed: readonly string[]) =>
  (value: string): string | null =>
    allowed.includes(value) ? null : `must be ${allowed.map((a) => `"${a}"`).join(" or ")} on this broker, got "${value}"`;

const policies = (value: string): string | null => {
  const parts = value.split(",").map((p) => p.trim());
  return parts.length > 0 && parts.every((p) => p === "delete" || p === "compact") ? null : `must be "delete", "compact" or "compact,delete", got "${value}"`;
};

export const topicConfigs: readonly TopicConfigDefinition[] = [
  {
    name: "cleanup.policy",
    brokerName: "log.cleanup.policy",
    type: "LIST",
    documentation:
      "delete: retention removes old segments by age and size. compact: nothing is removed by retention; this broker does not compact, so the log keeps every record (a superset of the compacted log).",
    check: policies,
  },
  {
    name: "retention.ms",
    brokerName: "log.retention.ms",
    type: "LONG",
    documentation: "Age after which a closed segment is deleted (delete policy only); -1 keeps everything.",
    check: integer(-1n, LONG_MAX),
  },
  {
    name: "retention.bytes",
    brokerName: "log.retention.bytes",
    type: "LONG",
    documentation: "Bytes kept per partition before whole old segments are deleted (delete policy only); -1 keeps everything.",
    check: integer(-1n, LONG_MAX),
  },
  {
    name: "segment.bytes",
    brokerName: "log.segment.bytes",
    type: "INT",
    documentation: "Size at which the active segment is closed and a new one started.",
    check: integer(1024n, INT_MAX),
  },
  {
    name: "max.message.bytes",
    brokerName: "message.max.bytes",
    type: "INT",
    documentation: "Largest record batch accepted by Produce for this topic (MESSAGE_TOO_LARGE beyond it).",
    check: integer(0n, INT_MAX),
  },
  {
    name: "min.insync.replicas",
    brokerName: "min.insync.replicas",
    type: "INT",
    documentation: "A single-node broker has exactly one replica, so this is 1.",
    check: oneOf(["1"]),
  },
  {
    name: "compression.type",
    brokerName: "compression.type",
    type: "STRING",
    documentation: "Batches are stored as the producer compressed them.",
    check: oneOf(["producer"]),
  },
  {
    name: "message.timestamp.type",
    brokerName: "log.message.timestamp.type",
    type: "STRING",
    documentation: "Records keep the timestamp their producer gave them.",
    check: oneOf(["CreateTime"]),
  },
];

const byName = new Map(topicConfigs.map((d) => [d.name, d]));
export const topicConfig = (name: string): TopicConfigDefinition | undefined => byName.get(name);

/** The first problem with a set of topic overrides, as Kafka words it, or null when all are valid. */
export function checkTopicOverrides(overrides: Readonly<Record<string, string>>): string | null {
  for (const [name, value] of Object.entries(overrides)) {
    const def = byName.get(name);
    if (!def) return `Unknown topic config name: ${name}`;
    const problem = def.check(value);
    if (problem) return `Invalid value for ${name}: ${problem}`;
  }
  return null;
}
