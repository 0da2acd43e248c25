import type { BatchInfo } from "../protocol/records.ts";

/**
 * One partition's log. Batches go in and come out as opaque bytes; offsets are assigned on append.
 * Both implementations are synchronous: memory, or files whose reads are served by the page cache.
 */
export interface PartitionLog {
  /** First offset still readable (advances when retention deletes segments). */
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
  close(): void;
  /** Removes the log's storage (topic deletion). */
  destroy(): void;
}

export interface StoredTopic {
  readonly id: string;
  readonly logs: PartitionLog[];
}

/** Creates and reopens partition logs; memory or files under a data directory. */
export interface LogStorage {
  readonly durable: boolean;
  /** Topics found in storage at start-up, with their ids and partition logs. */
  loadTopics(): Map<string, StoredTopic>;
  /** Creates a topic; `id` (a UUID) is stored with it so it survives restarts. */
  createTopic(name: string, partitions: number, id: string): PartitionLog[];
  deleteTopic(name: string, logs: PartitionLog[]): void;
  /** Where a partition's idempotent-producer snapshot lives; null keeps producer state in memory only. */
  producerStatePath(topic: string, partition: number): string | null;
  close(): void;
}
