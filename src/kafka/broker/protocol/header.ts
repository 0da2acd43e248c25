import type { Reader } from "./reader.ts";
import { field, int16, int32, message, nullableString, type Type } from "./schema.ts";
import { Writer } from "./writer.ts";

/**
 * The header layouts as Kafka defines them (request header v0–2, response header v0–1). The hot path
 * reads and writes headers by hand below; these layouts are what tests and clients check that against.
 */
export const requestHeader = message("2+", {
  requestApiKey: field(int16),
  requestApiVersion: field(int16),
  correlationId: field(int32),
  clientId: field(nullableString, "1+", null, { flexibleVersions: "none" }),
});
export const responseHeader = message("1+", { correlationId: field(int32) });

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string;
}

/**
 * Request header v1: key, version, correlation id and the client id, which stays a classic nullable
 * string even in header v2. Header v2 (flexible requests) then has a tagged-field section, read with
 * `skipRequestHeaderTags` once the API and version tell the header version.
 */
export function readRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString() ?? "";
  return { apiKey, apiVersion, correlationId, clientId };
}

/** The rest of request header v2: tagged fields, none of which the broker uses. */
export const skipRequestHeaderTags = (r: Reader): void => r.skipTaggedFields();

/**
 * A whole response frame (size, header, body) as chunks ready for the socket. Header v0 is the correlation
 * id; header v1 (flexible responses, except ApiVersions, which always answers with v0) adds an empty
 * tagged-field section.
 */
export function encodeResponse<T>(correlationId: number, body: Type<T>, value: T, version: number, headerV1 = false): Uint8Array[] {
  const w = new Writer(512);
  w.int32(0);
  w.int32(correlationId);
  if (headerV1) w.unsignedVarint(0);
  body.write(w, value, version);
  const size = w.length - 4;
  const chunks = w.chunksOut();
  new DataView(chunks[0]!.buffer, chunks[0]!.byteOffset, 4).setInt32(0, size);
  return chunks;
}
