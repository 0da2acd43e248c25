import { randomUUID } from "node:crypto";
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

/** The broker's topics and their partitions; the only place that creates or deletes them. */
export class Topics {
  private readonly byName = new Map<string, Partition[]>();
  private readonly ids = new Map<string, string>();
  private readonly namesById = new Map<string, string>();

  constructor(
    private readonly storage: LogStorage,
    readonly defaultPartitions: number,
  ) {
    for (const [name, { id, logs }] of storage.loadTopics()) this.add(name, id, logs);
  }

  private add(name: string, id: string, logs: PartitionLog[]): void {
    this.byName.set(name, this.wrap(name, logs));
    this.ids.set(name, id);
    this.namesById.set(id, name);
  }

  private wrap(topic: string, logs: PartitionLog[]): Partition[] {
    return logs.map((log, index) => ({ topic, index, log, waiters: new Set<() => void>(), producers: ProducerState.open(log, this.storage.producerStatePath(topic, index)) }));
  }

  get(name: string): Partition[] | undefined {
    return this.byName.get(name);
  }
  partition(name: string, index: number): Partition | undefined {
    return this.byName.get(name)?.[index];
  }
  names(): string[] {
    return [...this.byName.keys()];
  }
  /** The topic's UUID (Metadata v10+, Fetch v13+), fixed at creation. */
  idOf(name: string): string {
    return this.ids.get(name) ?? ZERO_UUID;
  }
  nameOf(id: string): string | undefined {
    return this.namesById.get(id);
  }

  create(name: string, partitions = this.defaultPartitions): number {
    if (!isValidTopicName(name)) return ErrorCode.INVALID_TOPIC_EXCEPTION;
    if (this.byName.has(name)) return ErrorCode.TOPIC_ALREADY_EXISTS;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) return ErrorCode.INVALID_PARTITIONS;
    const id = randomUUID();
    this.add(name, id, this.storage.createTopic(name, partitions, id));
    return ErrorCode.NONE;
  }

  delete(name: string): number {
    const partitions = this.byName.get(name);
    if (!partitions) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    this.byName.delete(name);
    this.namesById.delete(this.idOf(name));
    this.ids.delete(name);
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
    for (const partitions of this.byName.values()) for (const p of partitions) p.log.applyRetention(now);
  }

  close(): void {
    for (const partitions of this.byName.values())
      for (const p of partitions) {
        p.log.close(); // syncs, so the snapshot may cover the whole log
        p.producers.save(p.log.nextOffset);
      }
    this.storage.close();
  }
}
