import { expect, test } from "bun:test";
import { crc32c } from "../../../src/kafka/broker/protocol/crc32c.ts";
import { inspectBatch } from "../../../src/kafka/broker/protocol/records.ts";
import { buildBatch } from "./helpers/record-batch.ts";

test("crc32c matches the Castagnoli check value", () => {
  expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
});

test("crc32c of an empty input is 0 and of 32 zero bytes is the RFC 3720 value", () => {
  expect(crc32c(new Uint8Array(0))).toBe(0);
  expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
});

test("crc32c gives the same result whatever the alignment of the range", () => {
  const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff);
  for (let start = 0; start < 9; start++) {
    expect(crc32c(data, start, 997)).toBe(crc32c(data.slice(start, 997)));
  }
});

test("a batch with one flipped bit fails the CRC check", () => {
  const batch = buildBatch([{ key: null, value: new TextEncoder().encode("hello") }]);
  expect(typeof inspectBatch(batch)).toBe("object");
  batch[batch.byteLength - 3]! ^= 0x10;
  expect(inspectBatch(batch)).toBe("CRC-32C mismatch");
});
