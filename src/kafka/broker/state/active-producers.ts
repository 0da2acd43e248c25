import type { PartitionLog } from "../storage/log.ts";

export interface ProducerSummary {
  readonly producerId: number;
  readonly producerEpoch: number;
  /** Sequence of the last record of the producer's last batch. */
  readonly lastSequence: number;
  readonly lastTimestamp: number;
}

const TWO_32 = 4294967296;
const INT32_MAX = 2147483647;
const CHUNK_BYTES = 1 << 20;

/**
 * The idempotent producers whose batches are in a partition's log, each with its latest epoch, sequence
 * and timestamp, read from the batch headers (producer id, epoch and base sequence at bytes 43–56).
 */
export function activeProducers(log: PartitionLog): ProducerSummary[] {
  const latest = new Map<number, ProducerSummary>();
  let offset = log.logStartOffset;
  while (offset < log.nextOffset) {
    const chunks = log.read(offset, CHUNK_BYTES);
    if (chunks.length === 0) break;
    let next = offset;
    for (const chunk of chunks) {
      const v = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (let at = 0; at + 61 <= chunk.byteLength; at += v.getInt32(at + 8) + 12) {
        const base = v.getInt32(at) * TWO_32 + v.getUint32(at + 4);
        const lastDelta = v.getInt32(at + 23);
        next = Math.max(next, base + lastDelta + 1);
        const producerId = v.getInt32(at + 43) * TWO_32 + v.getUint32(at + 47);
        if (producerId < 0 || base + lastDelta < log.logStartOffset) continue;
        const baseSequence = v.getInt32(at + 53);
        const lastSequence = baseSequence > INT32_MAX - lastDelta ? baseSequence + lastDelta - INT32_MAX - 1 : baseSequence + lastDelta;
        latest.set(producerId, { producerId, producerEpoch: v.getInt16(at + 51), lastSequence, lastTimestamp: v.getInt32(at + 35) * TWO_32 + v.getUint32(at + 39) });
      }
    }
    if (next <= offset) break;
    offset = next;
  }
  return [...latest.values()];
}
