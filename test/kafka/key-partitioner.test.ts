import { describe, expect, test } from "bun:test"
import { Partitioners } from "kafkajs"
import { keyPartitioner, murmur2 } from "../../src/kafka/key-partitioner.ts"

// kafkajs's own Java-compatible murmur2, the reference our 32-bit version must match exactly.
const reference = require("kafkajs/src/producer/partitioners/default/murmur2.js") as (key: Buffer) => number

const randomKey = (seed: number) => {
  const length = seed % 61
  return Buffer.from(Array.from({ length }, (_, i) => (seed * 31 + i * 17) & 0xff))
}

describe("the key partitioner", () => {
  test("murmur2 equals the Java client's hash for 5000 keys of every length and byte value", () => {
    for (let seed = 0; seed < 5000; seed++) {
      const key = randomKey(seed)
      expect(murmur2(key)).toBe(reference(key))
    }
    expect(murmur2(Buffer.from("meiwei:0e41cc11-5e54-448b-a6ce-9c9a855ad202"))).toBe(reference(Buffer.from("meiwei:0e41cc11-5e54-448b-a6ce-9c9a855ad202")))
  })

  test("keys land on the same partitions as with kafkajs's default partitioner", () => {
    const ours = keyPartitioner()
    const theirs = Partitioners.DefaultPartitioner()
    for (const partitions of [1, 3, 6, 7]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }))
      for (let i = 0; i < 500; i++) {
        const message = { key: `tenant-${i % 7}:user-${i}`, value: "v" }
        expect(ours({ topic: "buy", partitionMetadata, message })).toBe(theirs({ topic: "buy", partitionMetadata, message }))
      }
    }
  })
})
