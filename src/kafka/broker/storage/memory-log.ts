import { findTimestampInBatch, type BatchInfo } from "../protocol/records.ts";
import type { LogStorage, PartitionLog, StoredTopic, TopicMeta } from "./log.ts";

/** A partition kept entirely in memory: an array of batches and their offsets, for tests and demos. */
export class MemoryLog implements PartitionLog {
  logStartOffset = 0;
  nextOffset = 0;
  sizeBytes = 0;
  private readonly bases: number[] = [];
  private readonly lasts: number[] = [];
  private readonly maxTimestamps: number[] = [];
  private readonly batches: Uint8Array[] = [];

  append(batch: Uint8Array, info: BatchInfo): void {
    // The request frame is reused by no one, but copying decouples the log from the frame's lifetime.
    this.bases.push(this.nextOffset);
    this.lasts.push(this.nextOffset + info.lastOffsetDelta);
    this.maxTimestamps.push(info.maxTimestamp);
    this.batches.push(batch.slice());
    this.nextOffset += info.lastOffsetDelta + 1;
    this.sizeBytes += batch.byteLength;
  }

  /** Index of the first batch whose last offset is ≥ offset. */
  private firstEndingAtOrAfter(offset: number): number {
    let lo = 0;
    let hi = this.lasts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.lasts[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  read(offset: number, maxBytes: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let total = 0;
    for (let i = this.firstEndingAtOrAfter(offset); i < this.batches.length; i++) {
      const b = this.batches[i]!;
      if (out.length > 0 && total + b.byteLength > maxBytes) break;
      out.push(b);
      total += b.byteLength;
    }
    return out;
  }

  offsetForTimestamp(ts: number): { offset: number; timestamp: number } | null {
    const i = this.maxTimestamps.findIndex((m) => m >= ts);
    if (i < 0) return null;
    return findTimestampInBatch(this.batches[i]!, 0, ts) ?? { offset: this.bases[i]!, timestamp: this.maxTimestamps[i]! };
  }

  offsetForMaxTimestamp(): { offset: number; timestamp: number } | null {
    let best = -1;
    for (let i = 0; i < this.maxTimestamps.length; i++) if (best < 0 || this.maxTimestamps[i]! > this.maxTimestamps[best]!) best = i;
    if (best < 0) return null;
    const ts = this.maxTimestamps[best]!;
    return findTimestampInBatch(this.batches[best]!, 0, ts) ?? { offset: this.bases[best]!, timestamp: ts };
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }
  /** Retention does not apply in memory, so the limits change nothing here. */
  configure(): void {}
  deleteRecordsBefore(offset: number): void {
    if (offset <= this.logStartOffset) return;
    this.logStartOffset = Math.min(offset, this.nextOffset);
    const drop = this.firstEndingAtOrAfter(this.logStartOffset);
    for (const a of [this.bases, this.lasts, this.maxTimestamps]) a.splice(0, drop);
    for (const b of this.batches.splice(0, drop)) this.sizeBytes -= b.byteLength;
  }
  applyRetention(): void {}
  close(): void {}
  destroy(): void {
    this.batches.length = 0;
  }
}

export class MemoryStorage implements LogStorage {
  readonly durable = false;
  readonly location = null;
  loadTopics(): Map<string, StoredTopic> {
    return new Map();
  }
  createTopic(_name: string, meta: TopicMeta): PartitionLog[] {
    return Array.from({ length: meta.partitions }, () => new MemoryLog());
  }
  addPartitions(_name: string, from: number, meta: TopicMeta): PartitionLog[] {
    return Array.from({ length: meta.partitions - from }, () => new MemoryLog());
  }
  saveTopic(): void {}
  deleteTopic(_name: string, logs: PartitionLog[]): void {
    for (const log of logs) log.destroy();
  }
  producerStatePath(): string | null {
    return null;
  }
  close(): void {}
}
