import { ErrorCode } from "../protocol/errors.ts";
import { bytes, field, int16, int64, message, nullableString } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

/** One SASL token each way (v2 is flexible); a failed authentication is answered and then the connection is closed, as Kafka does. */
export const saslAuthenticate = defineApi({
  key: 36,
  name: "SaslAuthenticate",
  minVersion: 0,
  maxVersion: 2,
  request: message("2+", { authBytes: field(bytes) }),
  response: message("2+", { errorCode: field(int16), errorMessage: field(nullableString), authBytes: field(bytes), sessionLifetimeMs: field(int64, "1+", 0) }),
  handle(req, ctx) {
    const r = ctx.session.authenticate(req.authBytes);
    if (r.errorCode !== ErrorCode.NONE) {
      ctx.broker.log.warn("SASL authentication failed", { client: ctx.clientId, host: ctx.clientHost, reason: r.errorMessage });
      ctx.closeAfterResponse();
    }
    return { errorCode: r.errorCode, errorMessage: r.errorMessage, authBytes: r.reply, sessionLifetimeMs: 0 };
  },
});
