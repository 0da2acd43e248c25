import { describe, expect, test } from "bun:test";
import { ProtocolError, Reader } from "../../../src/kafka/broker/protocol/reader.ts";
import type { Type } from "../../../src/kafka/broker/protocol/schema.ts";
import { Writer } from "../../../src/kafka/broker/protocol/writer.ts";
import { apiRanges, apis } from "../../../src/kafka/broker/registry.ts";
import { plain, randomValue, rng } from "./helpers/random-value.ts";

function roundTrip(type: Type<unknown>, value: unknown, version: number): unknown {
  const w = new Writer(16);
  type.write(w, value, version);
  const r = new Reader(w.toBytes());
  const back = type.read(r, version);
  expect(r.remaining).toBe(0);
  return back;
}

describe("codecs round-trip every implemented version", () => {
  for (const api of apis) {
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      test(`${api.name} v${v} request and response`, () => {
        const rand = rng(api.key * 100 + v + 1);
        for (let i = 0; i < 25; i++) {
          for (const type of [api.request, api.response] as Type<unknown>[]) {
            const value = randomValue(type, v, rand);
            expect(plain(roundTrip(type, value, v))).toEqual(plain(value));
          }
        }
      });
    }
  }
});

describe("Produce v0–2 layouts, byte for byte", () => {
  const produce = apis.find((a) => a.name === "Produce")!;
  const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g)!.map((b) => Number.parseInt(b, 16)));
  const encode = (type: Type<unknown>, value: unknown, v: number) => {
    const w = new Writer();
    type.write(w, value, v);
    return [...w.toBytes()];
  };

  test("requests have no transactional id before v3", () => {
    // acks 1, timeout 1000, topic "t", partition 0, records 01 02 03
    const body = "0001 000003e8 00000001 0001 74 00000001 00000000 00000003 010203";
    for (const v of [0, 1, 2]) {
      expect(plain(produce.request.read(new Reader(hex(body)), v))).toEqual({
        transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: "t", partitionData: [{ index: 0, records: [1, 2, 3] }] }],
      });
    }
    expect(encode(produce.request, produce.request.read(new Reader(hex(`ffff ${body}`)), 3), 3)).toEqual([...hex(`ffff ${body}`)]);
  });

  test("responses: v0 bare, v1 adds throttle_time_ms, v2 log_append_time_ms", () => {
    const value = { responses: [{ name: "t", partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 5, logAppendTimeMs: -1, logStartOffset: 0 }] }], throttleTimeMs: 0 };
    const head = "00000001 0001 74 00000001 00000000 0000 0000000000000005";
    expect(encode(produce.response, value, 0)).toEqual([...hex(head)]);
    expect(encode(produce.response, value, 1)).toEqual([...hex(`${head} 00000000`)]);
    expect(encode(produce.response, value, 2)).toEqual([...hex(`${head} ffffffffffffffff 00000000`)]);
  });
});

describe("ApiVersions is derived from the registry", () => {
  test("advertises exactly the ranges the broker implements", () => {
    const ranges = Object.fromEntries(apiRanges.map((r) => [r.apiKey, [r.minVersion, r.maxVersion]]));
    expect(ranges).toEqual({
      0: [0, 9], 1: [4, 13], 2: [1, 7], 3: [0, 12], 8: [2, 8], 9: [1, 8], 10: [0, 4], 11: [0, 9], 12: [0, 4],
      13: [0, 5], 14: [0, 5], 15: [0, 5], 16: [0, 4], 17: [0, 1], 18: [0, 3], 19: [0, 7], 20: [0, 6], 22: [0, 4], 29: [0, 3],
      30: [0, 3], 31: [0, 3], 36: [0, 2], 42: [0, 2],
      21: [0, 2], 32: [0, 4], 33: [0, 2], 35: [0, 4], 37: [0, 3], 44: [0, 1], 47: [0, 0], 60: [0, 1], 61: [0, 0],
    });
  });
});

describe("malformed input", () => {
  for (const [name, version] of [["Produce", 7], ["Produce", 9], ["Fetch", 13], ["Metadata", 12], ["ApiVersions", 3]] as const) {
    test(`a truncated ${name} v${version} request throws ProtocolError instead of reading past the end`, () => {
      const api = apis.find((a) => a.name === name)!;
      const w = new Writer();
      api.request.write(w, randomValue(api.request, version, rng(3)), version);
      const bytes = w.toBytes();
      for (let cut = 0; cut < bytes.byteLength; cut++) {
        expect(() => api.request.read(new Reader(bytes.subarray(0, cut)), version)).toThrow(ProtocolError);
      }
    });
  }

  test("an array count larger than the frame is rejected before allocating", () => {
    const w = new Writer();
    w.int32(0x7fffffff);
    const metadata = apis.find((a) => a.name === "Metadata")!;
    expect(() => metadata.request.read(new Reader(w.toBytes()), 1)).toThrow(ProtocolError);
  });

  test("large byte fields are linked into the output, not copied", () => {
    const big = new Uint8Array(100_000).fill(7);
    const w = new Writer();
    w.int32(1);
    w.nullableBytes(big);
    w.int16(2);
    const chunks = w.chunksOut();
    expect(chunks.some((c) => c === big)).toBe(true);
    expect(w.toBytes().byteLength).toBe(4 + 4 + 100_000 + 2);
  });
});
