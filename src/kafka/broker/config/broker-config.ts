import { ConfigType, topicConfigs, type ConfigTypeName } from "./topic-configs.ts";

/** Kafka's ConfigSource numbers (DescribeConfigs v1+). */
export const ConfigSource = { TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;
export type ConfigSourceName = keyof typeof ConfigSource;

/** One config as DescribeConfigs reports it, with the lower-precedence values it overrides. */
export interface DescribedConfig {
  readonly name: string;
  readonly value: string;
  readonly source: ConfigSourceName;
  readonly readOnly: boolean;
  readonly type: ConfigTypeName;
  readonly documentation: string;
  readonly synonyms: readonly { name: string; value: string; source: ConfigSourceName }[];
}

export interface BrokerSetting {
  readonly name: string;
  readonly type: ConfigTypeName;
  readonly documentation: string;
  /** Kafka's default, or this broker's fixed value. */
  readonly fallback: string;
  /** Set when the broker was started with an explicit value (a static broker config). */
  readonly configured?: string | number | boolean;
}

/** What a partition log is told to honour, resolved from a topic's overrides and the broker defaults. */
export interface LogLimits {
  readonly segmentBytes: number;
  /** -1 keeps everything. */
  readonly retentionBytes: number;
  /** -1 keeps everything. */
  readonly retentionMs: number;
  readonly maxMessageBytes: number;
  /** False for compacted topics: retention deletes nothing and DeleteRecords is refused. */
  readonly deletable: boolean;
}

/**
 * The broker's static configuration, read-only at run time (it comes from the start-up options), and the
 * defaults every topic config falls back to.
 */
export class BrokerConfig {
  private readonly byName: Map<string, BrokerSetting>;

  constructor(settings: readonly BrokerSetting[]) {
    this.byName = new Map(settings.map((s) => [s.name, s]));
    for (const def of topicConfigs)
      if (!this.byName.has(def.brokerName)) throw new Error(`broker config ${def.brokerName} (default of ${def.name}) is missing`);
  }

  /** Every broker config, as DescribeConfigs on the BROKER resource reports it. */
  describe(): DescribedConfig[] {
    return [...this.byName.values()].map((s) => {
      const fallback = { name: s.name, value: s.fallback, source: "DEFAULT_CONFIG" as const };
      const value = s.configured === undefined ? fallback : { name: s.name, value: String(s.configured), source: "STATIC_BROKER_CONFIG" as const };
      return { name: s.name, value: value.value, source: value.source, readOnly: true, type: s.type, documentation: s.documentation, synonyms: value === fallback ? [fallback] : [value, fallback] };
    });
  }

  /** Every topic config for a topic with these overrides, each with its synonyms (override, broker, default). */
  describeTopic(overrides: Readonly<Record<string, string>>): DescribedConfig[] {
    return topicConfigs.map((def) => {
      const broker = this.byName.get(def.brokerName)!;
      const synonyms: { name: string; value: string; source: ConfigSourceName }[] = [];
      const override = overrides[def.name];
      if (override !== undefined) synonyms.push({ name: def.name, value: override, source: "TOPIC_CONFIG" });
      if (broker.configured !== undefined) synonyms.push({ name: broker.name, value: String(broker.configured), source: "STATIC_BROKER_CONFIG" });
      synonyms.push({ name: broker.name, value: broker.fallback, source: "DEFAULT_CONFIG" });
      const winner = synonyms[0]!;
      return { name: def.name, value: winner.value, source: winner.source, readOnly: false, type: def.type, documentation: def.documentation, synonyms };
    });
  }

  /** The value a topic config has for a topic with these overrides. */
  topicValue(name: string, overrides: Readonly<Record<string, string>>): string {
    const override = overrides[name];
    if (override !== undefined) return override;
    const def = topicConfigs.find((d) => d.name === name);
    const broker = def && this.byName.get(def.brokerName);
    if (!broker) throw new Error(`unknown topic config ${name}`);
    return broker.configured === undefined ? broker.fallback : String(broker.configured);
  }

  limits(overrides: Readonly<Record<string, string>>): LogLimits {
    const num = (name: string) => Number(this.topicValue(name, overrides));
    const deletable = this.topicValue("cleanup.policy", overrides)
      .split(",")
      .map((p) => p.trim())
      .includes("delete");
    return {
      segmentBytes: num("segment.bytes"),
      retentionBytes: deletable ? num("retention.bytes") : -1,
      retentionMs: deletable ? num("retention.ms") : -1,
      maxMessageBytes: num("max.message.bytes"),
      deletable,
    };
  }
}

export { ConfigType };
