import { array, field, int16, int32, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

/** Versions 0–2; v3+ is flexible and gets the UNSUPPORTED_VERSION answer in v0 layout from the connection. */
export const apiVersions = defineApi({
  key: 18,
  name: "ApiVersions",
  minVersion: 0,
  maxVersion: 2,
  request: struct({}),
  response: struct({
    errorCode: field(int16),
    apiKeys: field(array(struct({ apiKey: field(int16), minVersion: field(int16), maxVersion: field(int16) }))),
    throttleTimeMs: field(int32, "1+"),
  }),
  handle: (_req, ctx) => ({ errorCode: 0, apiKeys: [...ctx.broker.apiRanges], throttleTimeMs: 0 }),
});
