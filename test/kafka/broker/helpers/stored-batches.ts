import { fetch } from "../../../../src/kafka/broker/apis/fetch.ts";
import { crc32c } from "../../../../src/kafka/broker/protocol/crc32c.ts";
import { RawClient } from "./raw-client.ts";
import { ZERO_UUID } from "../../../../src/kafka/broker/protocol/schema.ts";

export const CODECS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** Every stored batch of partition 0, read with a raw Fetch v11: its codec (attributes & 7), size and whether its CRC-32C holds. */
export async function storedBatches(port: number, topic: string): Promise<{ codec: number; size: number; records: number; crcOk: boolean }[]> {
  const c = await RawClient.connect(port);
  const f = await c.request(fetch, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 24, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, topicId: ZERO_UUID, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 24 }] }],
    forgottenTopicsData: [], rackId: "",
  });
  c.close();
  const bytes = (f.responses[0]!.partitions[0]!.records as Uint8Array | null) ?? new Uint8Array(0);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { codec: number; size: number; records: number; crcOk: boolean }[] = [];
  for (let at = 0; at + 61 <= bytes.byteLength; at += v.getInt32(at + 8) + 12) {
    const size = v.getInt32(at + 8) + 12;
    out.push({ codec: v.getInt16(at + 21) & 7, size, records: v.getInt32(at + 57), crcOk: crc32c(bytes, at + 21, at + size) === v.getUint32(at + 17) });
  }
  return out;
}
