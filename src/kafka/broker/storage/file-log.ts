import { fsyncSync, mkdirSync, openSync, closeSync, readdirSync, existsSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import type { LogLimits } from "../config/broker-config.ts";
import { findTimestampInBatch, type BatchInfo } from "../protocol/records.ts";
import type { Flusher } from "./flusher.ts";
import type { PartitionLog } from "./log.ts";
import type { ScannedBatch } from "./scan.ts";
import { Segment } from "./segment.ts";

export interface FileLogConfig {
  segmentBytes: number;
  indexIntervalBytes: number;
  /** Per partition; -1 keeps everything. */
  retentionBytes: number;
  /** -1 keeps everything. */
  retentionMs: number;
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Where DeleteRecords leaves the log start offset, when it is inside the first segment. */
const START_OFFSET_FILE = "log-start-offset";

/** Replaces `path` with `text` atomically and durably (temporary file, fsync, rename, directory fsync). */
export function writeFileDurably(path: string, text: string): void {
  const fd = openSync(`${path}.tmp`, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(`${path}.tmp`, path);
  fsyncDir(dirname(path));
}

/** A partition stored as a directory of segments; reads come from disk, only sparse indexes stay in memory. */
export class FileLog implements PartitionLog {
  private readonly segments: Segment[] = [];
  private readonly config: FileLogConfig;
  /** Records below this offset were deleted by DeleteRecords (whole segments below it are removed too). */
  private deletedBefore = 0;
  sizeBytes = 0;

  constructor(
    private readonly dir: string,
    config: FileLogConfig,
    private readonly flusher: Flusher,
  ) {
    this.config = { ...config };
    mkdirSync(dir, { recursive: true });
    const startFile = join(dir, START_OFFSET_FILE);
    if (existsSync(startFile)) this.deletedBefore = Number.parseInt(readFileSync(startFile, "utf8"), 10) || 0;
    const bases = readdirSync(dir)
      .filter((f) => /^\d{20}\.log$/.test(f))
      .map((f) => Number.parseInt(f, 10))
      .sort((a, b) => a - b);
    bases.forEach((base, i) => {
      const segment = new Segment(dir, base, config.indexIntervalBytes);
      segment.load(i === bases.length - 1);
      this.segments.push(segment);
      this.sizeBytes += segment.size;
    });
    if (this.segments.length === 0) this.roll(this.deletedBefore);
    // A torn tail cut away on load can leave the checkpoint past the end: the log then starts at its end.
    this.deletedBefore = Math.min(this.deletedBefore, this.nextOffset);
    // Segments a crash kept after their records were deleted go now.
    this.dropSegmentsBelow(this.deletedBefore);
  }

  private get active(): Segment {
    return this.segments.at(-1)!;
  }
  get logStartOffset(): number {
    return Math.min(Math.max(this.segments[0]!.baseOffset, this.deletedBefore), this.nextOffset);
  }
  get nextOffset(): number {
    return this.active.nextOffset;
  }

  private roll(base: number): void {
    if (this.segments.length > 0) this.active.syncNow(); // a closed segment is never synced again
    this.segments.push(new Segment(this.dir, base, this.config.indexIntervalBytes));
    fsyncDir(this.dir);
  }

  append(batch: Uint8Array, info: BatchInfo): void {
    if (this.active.size > 0 && this.active.size + batch.byteLength > this.config.segmentBytes) {
      this.roll(this.nextOffset);
      this.applyRetention(Date.now());
    }
    const base = this.nextOffset;
    this.active.append(batch, base, base + info.lastOffsetDelta);
    this.sizeBytes += batch.byteLength;
  }

  /** The segment that holds `offset`, or the first after it when offset falls in a gap. */
  private segmentIndex(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  read(offset: number, maxBytes: number): Uint8Array[] {
    if (offset >= this.nextOffset) return [];
    for (let i = this.segmentIndex(Math.max(offset, this.logStartOffset)); i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      if (offset >= seg.nextOffset) continue;
      const found = readFromSegment(seg, offset, maxBytes, this.config.indexIntervalBytes);
      if (found) return [found];
    }
    return [];
  }

  offsetForTimestamp(ts: number): { offset: number; timestamp: number } | null {
    for (const seg of this.segments) {
      let hit: ScannedBatch | undefined;
      seg.scan((b) => {
        if (b.maxTimestamp < ts) return true;
        hit = b;
        return false;
      });
      if (hit) {
        const bytes = seg.readRange(hit.position, hit.size);
        return findTimestampInBatch(bytes, 0, ts) ?? { offset: hit.baseOffset, timestamp: hit.maxTimestamp };
      }
    }
    return null;
  }

  offsetForMaxTimestamp(): { offset: number; timestamp: number } | null {
    let best: { seg: Segment; batch: ScannedBatch } | undefined;
    for (const seg of this.segments) {
      seg.scan((b) => {
        if (!best || b.maxTimestamp > best.batch.maxTimestamp) best = { seg, batch: b };
        return true;
      });
    }
    if (!best) return null;
    const { seg, batch } = best;
    return findTimestampInBatch(seg.readRange(batch.position, batch.size), 0, batch.maxTimestamp) ?? { offset: batch.baseOffset, timestamp: batch.maxTimestamp };
  }

  sync(): Promise<void> {
    return this.flusher.request(this.active);
  }

  configure(limits: LogLimits): void {
    this.config.segmentBytes = limits.segmentBytes;
    this.config.retentionBytes = limits.retentionBytes;
    this.config.retentionMs = limits.retentionMs;
  }

  /**
   * Moves the log start offset to `offset` (durably, before returning) and removes the segments that lie
   * wholly below it; the active segment always stays.
   */
  deleteRecordsBefore(offset: number): void {
    if (offset <= this.logStartOffset) return;
    const target = Math.min(offset, this.nextOffset);
    writeFileDurably(join(this.dir, START_OFFSET_FILE), String(target));
    this.deletedBefore = target;
    this.dropSegmentsBelow(target);
  }

  private dropSegmentsBelow(offset: number): void {
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= offset) this.dropOldest();
  }

  private dropOldest(): void {
    const oldest = this.segments.shift()!;
    this.sizeBytes -= oldest.size;
    oldest.remove();
  }

  applyRetention(now: number): void {
    const { retentionBytes, retentionMs } = this.config;
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      const overSize = retentionBytes >= 0 && this.sizeBytes - oldest.size >= retentionBytes;
      const overAge = retentionMs >= 0 && now - oldest.modifiedAt > retentionMs;
      if (!overSize && !overAge) return;
      this.dropOldest();
    }
  }

  close(): void {
    for (const seg of this.segments) {
      seg.syncNow();
      seg.close();
    }
  }
  destroy(): void {
    for (const seg of this.segments) seg.close();
  }
}

/** Whole batches from the one containing `offset`, read with one pread near the indexed position. */
function readFromSegment(seg: Segment, offset: number, maxBytes: number, slack: number): Uint8Array | null {
  let pos = seg.positionFor(offset);
  let chunk = seg.readRange(pos, Math.max(maxBytes, 65536) + slack + 61);
  for (;;) {
    let at = 0;
    let start = -1;
    let end = -1;
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (at + 61 <= chunk.byteLength) {
      const size = view.getInt32(at + 8) + 12;
      if (size < 61) return start >= 0 ? chunk.subarray(start, end) : null;
      if (at + size > chunk.byteLength) break;
      const last = view.getInt32(at) * 4294967296 + view.getUint32(at + 4) + view.getInt32(at + 23);
      if (last >= offset) {
        if (start < 0) start = at;
        else if (at + size - start > maxBytes) break;
        end = at + size;
      }
      at += size;
    }
    if (start >= 0) return chunk.subarray(start, end);
    if (pos + at >= seg.size) return null;
    // The next wanted batch did not fit in the chunk: read from it, at least its full size.
    pos += at;
    const head = seg.readRange(pos, 12);
    if (head.byteLength < 12) return null;
    const size = new DataView(head.buffer, head.byteOffset).getInt32(8) + 12;
    if (size < 61) return null;
    chunk = seg.readRange(pos, Math.max(size, maxBytes));
  }
}
