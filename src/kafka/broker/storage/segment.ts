import { closeSync, existsSync, fdatasync, fdatasyncSync, ftruncateSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { readAt, scanBatches, type ScannedBatch } from "./scan.ts";

const ENTRY = 12; // int64 offset + int32 position
const TWO_32 = 4294967296;

export const segmentName = (base: number) => String(base).padStart(20, "0");

/**
 * One segment: a `.log` file of concatenated batches and a sparse `.index` of (offset, position) pairs,
 * one per `indexInterval` bytes. Only the sparse index lives in memory, so memory does not grow with
 * the data; reads locate a nearby position in it and let the page cache serve the bytes.
 */
export class Segment {
  private readonly fd: number;
  private readonly indexFd: number;
  private readonly offsets: number[] = [];
  private readonly positions: number[] = [];
  private bytesSinceIndex = 0;
  size = 0;
  nextOffset: number;
  modifiedAt: number;

  constructor(
    private readonly dir: string,
    readonly baseOffset: number,
    private readonly indexInterval: number,
  ) {
    const path = this.path("log");
    this.fd = openSync(path, existsSync(path) ? "r+" : "w+");
    const indexPath = this.path("index");
    this.indexFd = openSync(indexPath, existsSync(indexPath) ? "r+" : "w+");
    this.nextOffset = baseOffset;
    this.modifiedAt = Date.now();
  }

  private path(ext: string): string {
    return join(this.dir, `${segmentName(this.baseOffset)}.${ext}`);
  }

  /**
   * Rebuilds the in-memory state from the files. Index entries must be increasing and inside the log
   * (the last few are also checked against the log); the batches after the last entry are walked, with
   * CRC checks when `verifyTail`, and a torn tail is truncated away.
   */
  load(verifyTail: boolean): void {
    const stat = statSync(this.path("log"));
    this.modifiedAt = stat.mtimeMs;
    const raw = readFileSync(this.path("index"));
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let at = 0; at + ENTRY <= raw.byteLength; at += ENTRY) {
      const offset = view.getInt32(at) * TWO_32 + view.getUint32(at + 4);
      const position = view.getInt32(at + 8);
      const last = this.positions.length - 1;
      if (position >= stat.size || (last >= 0 && (position <= this.positions[last]! || offset <= this.offsets[last]!))) break;
      this.offsets.push(offset);
      this.positions.push(position);
    }
    while (this.offsets.length > 0 && !this.entryMatches(this.offsets.at(-1)!, this.positions.at(-1)!)) this.dropLastEntry();
    let end = 0;
    for (;;) {
      const from = this.positions.at(-1) ?? 0;
      this.nextOffset = this.offsets.at(-1) ?? this.baseOffset;
      end = scanBatches(this.fd, from, stat.size, verifyTail, (b) => {
        this.nextOffset = b.lastOffset + 1;
      });
      if (end > from || this.offsets.length === 0) break;
      this.dropLastEntry(); // the indexed batch itself was torn
    }
    if (end < stat.size) ftruncateSync(this.fd, end);
    ftruncateSync(this.indexFd, this.offsets.length * ENTRY);
    this.size = end;
    this.bytesSinceIndex = end - (this.positions.at(-1) ?? 0);
  }

  private dropLastEntry(): void {
    this.offsets.pop();
    this.positions.pop();
  }

  private entryMatches(offset: number, position: number): boolean {
    const head = readAt(this.fd, position, 8);
    if (head.byteLength < 8) return false;
    const v = new DataView(head.buffer);
    return v.getInt32(0) * TWO_32 + v.getUint32(4) === offset;
  }

  append(batch: Uint8Array, baseOffset: number, lastOffset: number): void {
    let written = 0;
    while (written < batch.byteLength) written += writeSync(this.fd, batch, written, batch.byteLength - written, this.size + written);
    if (this.size === 0 || this.bytesSinceIndex >= this.indexInterval) this.addIndexEntry(baseOffset, this.size);
    this.bytesSinceIndex += batch.byteLength;
    this.size += batch.byteLength;
    this.nextOffset = lastOffset + 1;
    this.modifiedAt = Date.now();
  }

  private addIndexEntry(offset: number, position: number): void {
    const entry = new Uint8Array(ENTRY);
    const v = new DataView(entry.buffer);
    v.setInt32(0, Math.floor(offset / TWO_32));
    v.setUint32(4, offset >>> 0);
    v.setInt32(8, position);
    writeSync(this.indexFd, entry, 0, ENTRY, this.offsets.length * ENTRY);
    this.offsets.push(offset);
    this.positions.push(position);
    this.bytesSinceIndex = 0;
  }

  /** File position of the indexed batch at or before `offset`. */
  positionFor(offset: number): number {
    let lo = 0;
    let hi = this.offsets.length - 1;
    let best = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid]! <= offset) {
        best = this.positions[mid]!;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  /** Visits the batches in order until `visit` returns false. */
  scan(visit: (b: ScannedBatch) => boolean | void): void {
    scanBatches(this.fd, 0, this.size, false, visit);
  }

  readRange(position: number, length: number): Uint8Array {
    return readAt(this.fd, position, Math.min(length, this.size - position));
  }

  sync(): Promise<void> {
    return new Promise((resolve, reject) => fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
  }
  syncNow(): void {
    fdatasyncSync(this.fd);
    fdatasyncSync(this.indexFd);
  }
  close(): void {
    closeSync(this.fd);
    closeSync(this.indexFd);
  }
  remove(): void {
    this.close();
    unlinkSync(this.path("log"));
    unlinkSync(this.path("index"));
  }
}
