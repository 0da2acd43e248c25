import type { LogLimits } from "../config/broker-config.ts";
import type { BatchInfo } from "../protocol/records.ts";

/**
 * One partition's log. Batches go in and come out as opaque bytes; offsets are assigned on append.
 * Both implementations are synchronous: memory, or files whose reads are served by the page cache.
 */
export interface PartitionLog {
  /** First offset still readable (advances when retention deletes segments or DeleteRecords moves it). */
  readonly logStartOffset: number;
  /** Next offset to assign; with one replica this is also the high watermark. */
  readonly nextOffset: number;
  readonly sizeBytes: number;
  /** Appends a validated batch whose baseOffset field was already rewritten to `nextOffset`. */
  append(batch: Uint8Array, info: BatchInfo): void;
  /**
   * Whole batches starting with the one that contains `offset` (never one that ends below it), up to
   * `maxBytes` but always at least one batch when any exists at or after `offset`.
   */
  read(offset: number, maxBytes: number): Uint8Array[];
  /** First record with timestamp ≥ ts (exact for uncompressed batches, the batch's base otherwise). */
  offsetForTimestamp(ts: number): { offset: number; timestamp: number } | null;
  /** The record with the largest timestamp (the first of them), as ListOffsets' MAX_TIMESTAMP asks (same exactness). */
  offsetForMaxTimestamp(): { offset: number; timestamp: number } | null;
  /** Makes everything appended so far durable; resolves at once for memory logs. */
  sync(): Promise<void>;
  /** Deletes whole old segments past the size or age limit. */
  applyRetention(now: number): void;
  /** Segment size and retention from now on (a topic's configs changed). */
  configure(limits: LogLimits): void;
  /** Moves the log start offset up to `offset` (at most the end), durably; records below it are gone. */
  deleteRecordsBefore(offset: number): void;
  close(): void;
  /** Removes the log's storage (topic deletion). */
  destroy(): void;
}

/** What storage records about a topic besides its logs: partition count, id and config overrides. */
export interface TopicMeta {
  readonly partitions: number;
  /** A UUID fixed at creation (Metadata v10+, Fetch v13+). */
  readonly id: string;
  readonly configs: Record<string, string>;
}

/** A topic as storage keeps it: its id, its partitions' logs and its config overrides. */
export interface StoredTopic {
  readonly id: string;
  readonly logs: PartitionLog[];
  readonly configs: Record<string, string>;
}

/** Creates and reopens partition logs; memory or files under a data directory. */
export interface LogStorage {
  readonly durable: boolean;
  /** The directory the logs live in, or null in memory. */
  readonly location: string | null;
  /** Topics found in storage at start-up, with their ids, partition logs and configs. */
  loadTopics(): Map<string, StoredTopic>;
  /** Creates a topic; its id and configs are stored with it so they survive restarts. */
  createTopic(name: string, meta: TopicMeta): PartitionLog[];
  /** New partitions `from`..`meta.partitions - 1` of an existing topic; durable once it returns. */
  addPartitions(name: string, from: number, meta: TopicMeta): PartitionLog[];
  /** Persists a topic's changed config overrides. */
  saveTopic(name: string, meta: TopicMeta): void;
  deleteTopic(name: string, logs: PartitionLog[]): void;
  /** Where a partition's idempotent-producer snapshot lives; null keeps producer state in memory only. */
  producerStatePath(topic: string, partition: number): string | null;
  close(): void;
}
