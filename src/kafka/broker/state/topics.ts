import { randomUUID } from "node:crypto";
import type { BrokerConfig, LogLimits } from "../config/broker-config.ts";
import { checkTopicOverrides } from "../config/topic-configs.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { ZERO_UUID } from "../protocol/schema.ts";
import type { LogStorage, PartitionLog } from "../storage/log.ts";
import { ProducerState } from "./producers.ts";

export interface Partition {
  readonly topic: string;
  readonly index: number;
  readonly log: PartitionLog;
  /** Long-polling fetches waiting for data on this partition. */
  readonly waiters: Set<() => void>;
  /** Idempotent producers' epochs and recent sequences on this partition. */
  readonly producers: ProducerState;
}

const LEGAL = /^[a-zA-Z0-9._-]{1,249}$/;
export const isValidTopicName = (name: string) => LEGAL.test(name) && name !== "." && name !== "..";

export const MAX_PARTITIONS = 10_000;

interface Topic {
  readonly id: string;
  readonly partitions: Partition[];
  /** Config overrides; everything else comes from the broker config. */
  configs: Record<string, string>;
  limits: LogLimits;
}

/** The broker's topics, their partitions and configs; the only place that creates, grows or deletes them. */
export class Topics {
  private readonly byName = new Map<string, Topic>();
  private readonly namesById = new Map<string, string>();

  constructor(
    private readonly storage: LogStorage,
    readonly defaultPartitions: number,
    readonly config: BrokerConfig,
  ) {
    for (const [name, stored] of storage.loadTopics()) this.add(name, stored.id, stored.logs, stored.configs);
  }

  private add(name: string, id: string, logs: PartitionLog[], configs: Record<string, string>): void {
    this.byName.set(name, this.wrap(name, id, logs, configs));
    this.namesById.set(id, name);
  }

  private wrap(topic: string, id: string, logs: PartitionLog[], configs: Record<string, string>): Topic {
    const limits = this.config.limits(configs);
    for (const log of logs) log.configure(limits);
    return { id, partitions: logs.map((log, index) => this.partitionOf(topic, index, log)), configs, limits };
  }

  private partitionOf(topic: string, index: number, log: PartitionLog): Partition {
    return { topic, index, log, waiters: new Set<() => void>(), producers: ProducerState.open(log, this.storage.producerStatePath(topic, index)) };
  }

  /** The directory the logs live in, or null in memory. */
  get location(): string | null {
    return this.storage.location;
  }

  get(name: string): Partition[] | undefined {
    return this.byName.get(name)?.partitions;
  }
  partition(name: string, index: number): Partition | undefined {
    return this.byName.get(name)?.partitions[index];
  }
  names(): string[] {
    return [...this.byName.keys()];
  }
  configs(name: string): Readonly<Record<string, string>> | undefined {
    return this.byName.get(name)?.configs;
  }
  limits(name: string): LogLimits | undefined {
    return this.byName.get(name)?.limits;
  }
  /** The topic's UUID (Metadata v10+, Fetch v13+), fixed at creation. */
  idOf(name: string): string {
    return this.byName.get(name)?.id ?? ZERO_UUID;
  }
  nameOf(id: string): string | undefined {
    return this.namesById.get(id);
  }

  create(name: string, partitions = this.defaultPartitions, configs: Record<string, string> = {}): number {
    const problem = this.checkNew(name, partitions, configs);
    if (problem !== ErrorCode.NONE) return problem;
    const id = randomUUID();
    this.add(name, id, this.storage.createTopic(name, { partitions, id, configs }), configs);
    return ErrorCode.NONE;
  }

  /** What `create` would answer, without creating anything. */
  checkNew(name: string, partitions: number, configs: Record<string, string> = {}): number {
    if (!isValidTopicName(name)) return ErrorCode.INVALID_TOPIC_EXCEPTION;
    if (this.byName.has(name)) return ErrorCode.TOPIC_ALREADY_EXISTS;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) return ErrorCode.INVALID_PARTITIONS;
    if (checkTopicOverrides(configs) !== null) return ErrorCode.INVALID_CONFIG;
    return ErrorCode.NONE;
  }

  /** Raises a topic's partition count to `count`; the new partitions are empty and accept produce at once. */
  addPartitions(name: string, count: number): number {
    const topic = this.byName.get(name);
    if (!topic) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const from = topic.partitions.length;
    if (!Number.isInteger(count) || count <= from || count > MAX_PARTITIONS) return ErrorCode.INVALID_PARTITIONS;
    const logs = this.storage.addPartitions(name, from, { partitions: count, id: topic.id, configs: topic.configs });
    logs.forEach((log, i) => {
      log.configure(topic.limits);
      topic.partitions.push(this.partitionOf(name, from + i, log));
    });
    return ErrorCode.NONE;
  }

  /** Replaces a topic's config overrides (already validated), persists them and applies them to its logs. */
  setConfigs(name: string, configs: Record<string, string>): void {
    const topic = this.byName.get(name);
    if (!topic) throw new Error(`unknown topic ${name}`);
    this.storage.saveTopic(name, { partitions: topic.partitions.length, id: topic.id, configs });
    topic.configs = configs;
    topic.limits = this.config.limits(configs);
    for (const p of topic.partitions) p.log.configure(topic.limits);
  }

  delete(name: string): number {
    const partitions = this.byName.get(name)?.partitions;
    if (!partitions) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    this.namesById.delete(this.idOf(name));
    this.byName.delete(name);
    for (const p of partitions) for (const wake of p.waiters) wake();
    this.storage.deleteTopic(name, partitions.map((p) => p.log));
    return ErrorCode.NONE;
  }

  /** Wakes the fetches waiting on a partition after an append. */
  notify(partition: Partition): void {
    if (partition.waiters.size === 0) return;
    for (const wake of [...partition.waiters]) wake();
  }

  applyRetention(now: number): void {
    for (const topic of this.byName.values()) for (const p of topic.partitions) p.log.applyRetention(now);
  }

  close(): void {
    for (const topic of this.byName.values())
      for (const p of topic.partitions) {
        p.log.close(); // syncs, so the snapshot may cover the whole log
        p.producers.save(p.log.nextOffset, true);
      }
    this.storage.close();
  }
}
