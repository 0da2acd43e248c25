import { array, field, int16, message, string } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

/** Picks the SASL mechanism; v0 means the tokens follow as bare frames, v1 that they come in SaslAuthenticate. */
export const saslHandshake = defineApi({
  key: 17,
  name: "SaslHandshake",
  minVersion: 0,
  maxVersion: 1,
  request: message("none", { mechanism: field(string) }),
  response: message("none", { errorCode: field(int16), mechanisms: field(array(string)) }),
  handle: (req, ctx) => ({ errorCode: ctx.session.handshake(req.mechanism, ctx.version), mechanisms: [...ctx.session.mechanisms] }),
});
