import type { Reader } from "./reader.ts";
import type { Type } from "./schema.ts";
import { Writer } from "./writer.ts";

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string;
}

/**
 * Request header v1 (v2 adds tagged fields after the client id, which only matters for flexible
 * request bodies, and the broker decodes none of those).
 */
export function readRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString() ?? "";
  return { apiKey, apiVersion, correlationId, clientId };
}

/** A whole response frame (size, header v0, body) as chunks ready for the socket. */
export function encodeResponse<T>(correlationId: number, body: Type<T>, value: T, version: number): Uint8Array[] {
  const w = new Writer(512);
  w.int32(0);
  w.int32(correlationId);
  body.write(w, value, version);
  const size = w.length - 4;
  const chunks = w.chunksOut();
  new DataView(chunks[0]!.buffer, chunks[0]!.byteOffset, 4).setInt32(0, size);
  return chunks;
}
