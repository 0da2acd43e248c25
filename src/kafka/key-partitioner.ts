import type { ICustomPartitioner } from "kafkajs"

const seed = 0x9747b28c
const m = 0x5bd1e995

/**
 * Kafka's murmur2 (the Java client's default partitioner hash) in 32-bit arithmetic. kafkajs
 * computes the same value with emulated 64-bit numbers, which costs more than the rest of
 * producing a message; the result is identical.
 */
export const murmur2 = (data: Uint8Array): number => {
  const length = data.length
  let h = seed ^ length
  const length4 = length >>> 2
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24)
    k = Math.imul(k, m)
    k ^= k >>> 24
    k = Math.imul(k, m)
    h = Math.imul(h, m) ^ k
  }
  const tail = length & ~3
  const rest = length & 3
  if (rest === 3) h ^= data[tail + 2]! << 16
  if (rest >= 2) h ^= data[tail + 1]! << 8
  if (rest >= 1) {
    h ^= data[tail]!
    h = Math.imul(h, m)
  }
  h ^= h >>> 13
  h = Math.imul(h, m)
  h ^= h >>> 15
  return h | 0
}

const toPositive = (x: number) => x & 0x7fffffff

/** Keyed messages go where the Java client (and kafkajs's default partitioner) would put them. */
export const keyPartitioner: ICustomPartitioner = () => {
  let next = 0
  return ({ partitionMetadata, message }) => {
    if (message.partition !== undefined && message.partition !== null) return message.partition
    const key = message.key
    if (key === undefined || key === null) return toPositive(next++) % partitionMetadata.length
    return toPositive(murmur2(typeof key === "string" ? Buffer.from(key) : key)) % partitionMetadata.length
  }
}
