import { describe, expect, test } from "bun:test";
import { apiVersions } from "../../../src/kafka/broker/apis/api-versions.ts";
import { encodeResponse, readRequestHeader, requestHeader, responseHeader, skipRequestHeaderTags } from "../../../src/kafka/broker/protocol/header.ts";
import { ProtocolError, Reader } from "../../../src/kafka/broker/protocol/reader.ts";
import { array, field, int16, int32, int64, message, nullableArray, nullableBytes, nullableString, records, string, struct, tagged, uuid, type Type } from "../../../src/kafka/broker/protocol/schema.ts";
import { Writer } from "../../../src/kafka/broker/protocol/writer.ts";
import { plain } from "./helpers/random-value.ts";

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g) ?? [], (b) => Number.parseInt(b, 16));
const encode = <T>(type: Type<T>, value: T, v: number) => {
  const w = new Writer(8);
  type.write(w, value, v);
  return Buffer.from(w.toBytes()).toString("hex");
};
const decode = <T>(type: Type<T>, bytes: string, v: number) => {
  const r = new Reader(hex(bytes));
  const value = type.read(r, v);
  expect(r.remaining).toBe(0);
  return value;
};

describe("unsigned varints", () => {
  test("encode 7 bits a byte, low first, and read back at every size boundary", () => {
    const cases: [number, string][] = [[0, "00"], [1, "01"], [127, "7f"], [128, "8001"], [300, "ac02"], [16383, "ff7f"], [16384, "808001"], [0xffffffff, "ffffffff0f"]];
    for (const [n, bytes] of cases) {
      const w = new Writer(1);
      w.unsignedVarint(n);
      expect(Buffer.from(w.toBytes()).toString("hex")).toBe(bytes);
      expect(new Reader(hex(bytes)).unsignedVarint()).toBe(n);
    }
  });

  test("a varint longer than 5 bytes or truncated is a ProtocolError", () => {
    expect(() => new Reader(hex("ffffffffff01")).unsignedVarint()).toThrow(ProtocolError);
    expect(() => new Reader(hex("ff")).unsignedVarint()).toThrow(ProtocolError);
  });
});

describe("compact encodings switch on with the message's flexible versions", () => {
  const layout = message("2+", {
    name: field(string),
    note: field(nullableString),
    data: field(nullableBytes),
    ids: field(array(int32)),
    maybe: field(nullableArray(int16)),
  });
  const value = { name: "ab", note: null, data: new Uint8Array([9]), ids: [1], maybe: null };

  test("classic before, compact (length + 1) from the flexible version on, with a trailing empty tag section", () => {
    expect(encode(layout, value, 1)).toBe("00026162" + "ffff" + "0000000109" + "0000000100000001" + "ffffffff");
    expect(encode(layout, value, 2)).toBe("036162" + "00" + "0209" + "0200000001" + "00" + "00");
    expect(plain(decode(layout, "036162 00 0209 0200000001 00 00", 2))).toEqual(plain(value));
  });

  test("long compact strings get a multi-byte length", () => {
    const long = "é".repeat(100); // 200 bytes of UTF-8
    const bytes = encode(layout, { ...value, name: long }, 2);
    expect(bytes.slice(0, 4)).toBe("c901");
    expect(decode(layout, bytes, 2).name).toBe(long);
  });

  test("a field can keep the classic encoding in flexible versions", () => {
    const header = message("2+", { clientId: field(nullableString, "1+", undefined, { flexibleVersions: "none" }), rest: field(string) });
    expect(encode(header, { clientId: "c", rest: "x" }, 2)).toBe("000163" + "0278" + "00");
  });

  test("records are compact nullable bytes", () => {
    const r = message("0+", { records: field(records) });
    expect(encode(r, { records: [new Uint8Array([1]), new Uint8Array([2, 3])] }, 0)).toBe("04010203" + "00");
    expect(encode(r, { records: null }, 0)).toBe("00" + "00");
  });

  test("a null compact array where none is allowed, or a length past the frame, is a ProtocolError", () => {
    expect(() => decode(layout, "036162 00 0209 00 00 00", 2)).toThrow(ProtocolError);
    expect(() => decode(layout, "036162 00 0209 ffffffff07", 2)).toThrow(ProtocolError);
  });
});

describe("tagged fields", () => {
  const inner = struct({ epoch: field(int32, "1+"), offset: field(int64, "1+") });
  const layout = message("1+", {
    id: field(int16),
    topicId: field(uuid, "1+"),
    epoch: tagged(1, int32, "1+", -1),
    leader: tagged(0, inner, "1+", { epoch: -1, offset: -1 }),
    hosts: tagged(2, array(string), "1+"),
  });
  const defaults = { id: 7, topicId: "0123456789abcdef0011223344556677", epoch: -1, leader: { epoch: -1, offset: -1 }, hosts: [] };
  const uuidHex = "0123456789abcdef0011223344556677";

  test("fields at their default are not sent", () => {
    expect(encode(layout, defaults, 1)).toBe(`0007${uuidHex}00`);
  });

  test("non-default tagged fields are sent in tag order with their sizes, and read back", () => {
    const value = { ...defaults, epoch: 5, leader: { epoch: 2, offset: 3 }, hosts: ["h"] };
    const bytes = encode(layout, value, 1);
    expect(bytes).toBe(`0007${uuidHex}03` + "000d" + "00000002" + "0000000000000003" + "00" + "0104" + "00000005" + "0203" + "020268");
    const back = decode(layout, bytes, 1);
    expect(back).toEqual({ ...value, topicId: "01234567-89ab-cdef-0011-223344556677" });
  });

  test("unknown tags are skipped on read and known ones keep their default when absent", () => {
    const bytes = `0007${uuidHex}02` + "0104" + "0000002a" + "6302" + "ffff";
    expect(decode(layout, bytes, 1)).toEqual({ ...defaults, topicId: "01234567-89ab-cdef-0011-223344556677", epoch: 42 });
  });

  test("a tagged field whose size disagrees with its content is a ProtocolError", () => {
    expect(() => decode(layout, `0007${uuidHex}01` + "0105" + "0000002a" + "00", 1)).toThrow(ProtocolError);
    expect(() => decode(layout, `0007${uuidHex}01` + "0109" + "0000002a", 1)).toThrow(ProtocolError);
  });
});

describe("ApiVersions v3", () => {
  test("request carries the client software name and version as compact strings", () => {
    expect(decode(apiVersions.request, "0461626304312e3000", 3)).toEqual({ clientSoftwareName: "abc", clientSoftwareVersion: "1.0" });
  });

  test("response: compact array of keys, throttle time, then the (empty) feature tags", () => {
    const value = { ...apiVersions.response.empty(), apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] };
    expect(encode(apiVersions.response, value, 3)).toBe("0000" + "02" + "0012000000030" + "0" + "00000000" + "00");
    expect(encode(apiVersions.response, value, 2)).toBe("0000" + "00000001" + "001200000003" + "00000000");
  });
});

describe("request and response headers", () => {
  test("the hand-written request header reader agrees with the v1 and v2 layouts", () => {
    for (const v of [1, 2]) {
      for (const clientId of ["loyaltea", null, "é".repeat(80)]) {
        const value = { requestApiKey: 3, requestApiVersion: 12, correlationId: 77, clientId };
        const w = new Writer();
        requestHeader.write(w, value, v);
        w.int8(42); // the body's first byte
        const r = new Reader(w.toBytes());
        expect(readRequestHeader(r)).toEqual({ apiKey: 3, apiVersion: 12, correlationId: 77, clientId: clientId ?? "" });
        if (v === 2) skipRequestHeaderTags(r);
        expect(r.int8()).toBe(42);
      }
    }
  });

  test("response header v1 adds an empty tag section after the correlation id; v0 has none", () => {
    const body = message("0+", { x: field(int16) });
    const frame = (headerV1: boolean) => Buffer.concat(encodeResponse(9, body, { x: 1 }, 0, headerV1)).toString("hex");
    expect(frame(false)).toBe("00000007" + "00000009" + "0001" + "00");
    expect(frame(true)).toBe("00000008" + "00000009" + "00" + "0001" + "00");
    const w = new Writer();
    responseHeader.write(w, { correlationId: 9 }, 1);
    expect(Buffer.from(w.toBytes()).toString("hex")).toBe("0000000900");
  });
});
