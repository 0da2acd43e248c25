import { field, int16, int32, int8, message, nullableString, string } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

/** This broker coordinates every group (and would every transaction). */
export const findCoordinator = defineApi({
  key: 10,
  name: "FindCoordinator",
  minVersion: 0,
  maxVersion: 2,
  request: message("3+", { key: field(string), keyType: field(int8, "1+") }),
  response: message("3+", {
    throttleTimeMs: field(int32, "1+"),
    errorCode: field(int16),
    errorMessage: field(nullableString, "1+"),
    nodeId: field(int32),
    host: field(string),
    port: field(int32),
  }),
  handle: (_req, ctx) => ({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: ctx.broker.nodeId, host: ctx.advertised.host, port: ctx.advertised.port }),
});
