import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { ErrorCode } from "../protocol/errors.ts";
import type { PartitionLog } from "../storage/log.ts";

/** The idempotence fields of a RecordBatch header; producerId -1 means a plain (non-idempotent) batch. */
export interface BatchProducer {
  readonly producerId: number;
  readonly epoch: number;
  readonly baseSequence: number;
  readonly lastOffsetDelta: number;
}

const TWO_32 = 4294967296;
const INT32_MAX = 2147483647;
/** Kafka keeps the metadata of this many recent batches per producer and partition for duplicate detection. */
const KEPT_BATCHES = 5;
const SCAN_BYTES = 1 << 20;
/** A log that grew by this many offsets since the last snapshot gets a new one, idempotent batches or not, so a start never replays much. */
const RESNAPSHOT_OFFSETS = 100_000;

export function batchProducer(bytes: Uint8Array, at = 0): BatchProducer {
  const v = new DataView(bytes.buffer, bytes.byteOffset + at, 61);
  return { producerId: v.getInt32(43) * TWO_32 + v.getUint32(47), epoch: v.getInt16(51), baseSequence: v.getInt32(53), lastOffsetDelta: v.getInt32(23) };
}

/** Sequences wrap from Int32.MAX back to 0, as in Kafka. */
const lastSequenceOf = (b: BatchProducer) => (b.baseSequence > INT32_MAX - b.lastOffsetDelta ? b.baseSequence + b.lastOffsetDelta - INT32_MAX - 1 : b.baseSequence + b.lastOffsetDelta);
const inSequence = (last: number, next: number) => next === last + 1 || (next === 0 && last === INT32_MAX);

interface Appended {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
}
interface Entry {
  epoch: number;
  /** Oldest first, at most KEPT_BATCHES. */
  batches: Appended[];
}

export type SequenceCheck = { kind: "append" } | { kind: "duplicate"; baseOffset: number } | { kind: "reject"; errorCode: number; reason: string };

interface Snapshot {
  /** Every batch below this offset is reflected in `producers`. */
  offset: number;
  producers: [number, Entry][];
}

/**
 * One partition's idempotent-producer state, as Kafka keeps it: per producer id the current epoch and the
 * sequences and offsets of its last five batches. A retried batch is recognised and answered with its
 * first offset instead of being appended twice. The state is a snapshot file plus the log after it: on
 * open, the batch headers written since the snapshot are replayed, so it survives a restart or a crash.
 */
export class ProducerState {
  private readonly entries = new Map<number, Entry>();
  private dirty = false;
  private savedAt = 0;

  private constructor(private readonly snapshotPath: string | null) {}

  static open(log: PartitionLog, snapshotPath: string | null): ProducerState {
    const state = new ProducerState(snapshotPath);
    let from = log.logStartOffset;
    const snapshot = snapshotPath && existsSync(snapshotPath) ? readSnapshot(snapshotPath) : null;
    // A snapshot past the log's end describes batches a crash took away: rebuild from the log alone.
    if (snapshot && snapshot.offset <= log.nextOffset) {
      for (const [id, entry] of snapshot.producers) state.entries.set(id, entry);
      from = Math.max(from, snapshot.offset);
      state.savedAt = snapshot.offset;
    }
    state.replay(log, from);
    return state;
  }

  private replay(log: PartitionLog, from: number): void {
    let offset = from;
    while (offset < log.nextOffset) {
      const chunks = log.read(offset, SCAN_BYTES);
      if (chunks.length === 0) break;
      for (const chunk of chunks) {
        const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        for (let at = 0; at + 61 <= chunk.byteLength; at += view.getInt32(at + 8) + 12) {
          const base = view.getInt32(at) * TWO_32 + view.getUint32(at + 4);
          const b = batchProducer(chunk, at);
          if (base + b.lastOffsetDelta < offset) continue;
          if (b.producerId >= 0) this.record(b, base);
          offset = base + b.lastOffsetDelta + 1;
        }
      }
    }
  }

  /** What to do with a batch about to be appended: append it, answer it as a duplicate, or reject it. */
  check(b: BatchProducer): SequenceCheck {
    if (b.producerId < 0) return { kind: "append" };
    const entry = this.entries.get(b.producerId);
    if (!entry) return { kind: "append" }; // unknown producer (new, or its batches aged out): any sequence starts it
    if (b.epoch < entry.epoch) {
      return { kind: "reject", errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, reason: `producer ${b.producerId} epoch ${b.epoch} is older than ${entry.epoch}` };
    }
    if (b.epoch > entry.epoch) {
      if (b.baseSequence === 0) return { kind: "append" };
      return { kind: "reject", errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, reason: `producer ${b.producerId} starts epoch ${b.epoch} at sequence ${b.baseSequence}, not 0` };
    }
    const lastSeq = lastSequenceOf(b);
    const dup = entry.batches.find((x) => x.firstSeq === b.baseSequence && x.lastSeq === lastSeq);
    if (dup) return { kind: "duplicate", baseOffset: dup.firstOffset };
    const last = entry.batches.at(-1);
    if (last && !inSequence(last.lastSeq, b.baseSequence)) {
      return { kind: "reject", errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, reason: `producer ${b.producerId} sent sequence ${b.baseSequence} after ${last.lastSeq}` };
    }
    return { kind: "append" };
  }

  /** Notes a batch appended at `baseOffset` (after `check` said append, or while replaying the log). */
  record(b: BatchProducer, baseOffset: number): void {
    if (b.producerId < 0) return;
    let entry = this.entries.get(b.producerId);
    if (!entry || b.epoch > entry.epoch) {
      entry = { epoch: b.epoch, batches: [] };
      this.entries.set(b.producerId, entry);
    }
    entry.batches.push({ firstSeq: b.baseSequence, lastSeq: lastSequenceOf(b), firstOffset: baseOffset });
    if (entry.batches.length > KEPT_BATCHES) entry.batches.shift();
    this.dirty = true;
  }

  /** The producers with state here and their latest batch, for DescribeProducers. */
  producers(): { producerId: number; epoch: number; lastSequence: number; lastOffset: number }[] {
    return [...this.entries].map(([producerId, e]) => ({ producerId, epoch: e.epoch, lastSequence: e.batches.at(-1)?.lastSeq ?? -1, lastOffset: e.batches.at(-1)?.firstOffset ?? -1 }));
  }

  /**
   * Writes the snapshot, covering everything below `offset`. Call it only once the log is durable up to
   * `offset`, so that a snapshot never describes batches a crash could still take away. `force` (a
   * clean stop) writes it even when nothing changed, so the next start replays nothing.
   */
  save(offset: number, force = false): void {
    if (!this.snapshotPath) return;
    if (!this.dirty && !force && offset - this.savedAt < RESNAPSHOT_OFFSETS) return;
    this.dirty = false;
    this.savedAt = offset;
    const producers: [number, Entry][] = [];
    for (const [id, e] of this.entries) {
      const batches = e.batches.filter((b) => b.firstOffset < offset);
      if (batches.length < e.batches.length) this.dirty = true; // appended since `offset`: the next snapshot has them
      producers.push([id, { epoch: e.epoch, batches }]);
    }
    const snapshot: Snapshot = { offset, producers };
    try {
      writeFileSync(`${this.snapshotPath}.tmp`, JSON.stringify(snapshot));
      renameSync(`${this.snapshotPath}.tmp`, this.snapshotPath);
    } catch {
      this.dirty = true; // the partition went away, or the disk refused: the log still rebuilds the state
    }
  }
}

function readSnapshot(path: string): Snapshot | null {
  try {
    const s = JSON.parse(readFileSync(path, "utf8")) as Snapshot;
    return Number.isInteger(s.offset) && Array.isArray(s.producers) ? s : null;
  } catch {
    return null; // a torn snapshot: the log alone rebuilds the state
  }
}
