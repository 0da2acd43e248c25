import { ErrorCode } from "../protocol/errors.ts";
import { array, bool, field, int16, int32, int64, message, string, struct, tagged } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

const feature = { name: field(string, "3+"), minVersion: field(int16, "3+"), maxVersion: field(int16, "3+") };
const finalizedFeature = { name: field(string, "3+"), maxVersionLevel: field(int16, "3+"), minVersionLevel: field(int16, "3+") };

/** Kafka's rule for the client software name and version (KIP-511). */
const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

/**
 * Versions 0–3. v3 is flexible and says which client software is calling; its response carries the
 * feature tagged fields, empty here (this broker has no finalized features). The response header is v0 in
 * every version. A version above 3 gets UNSUPPORTED_VERSION in the v0 layout from the connection.
 */
export const apiVersions = defineApi({
  key: 18,
  name: "ApiVersions",
  minVersion: 0,
  maxVersion: 3,
  request: message("3+", {
    clientSoftwareName: field(string, "3+"),
    clientSoftwareVersion: field(string, "3+"),
  }),
  response: message("3+", {
    errorCode: field(int16),
    apiKeys: field(array(struct({ apiKey: field(int16), minVersion: field(int16), maxVersion: field(int16) }))),
    throttleTimeMs: field(int32, "1+"),
    supportedFeatures: tagged(0, array(struct(feature)), "3+"),
    finalizedFeaturesEpoch: tagged(1, int64, "3+", -1),
    finalizedFeatures: tagged(2, array(struct(finalizedFeature)), "3+"),
    zkMigrationReady: tagged(3, bool, "3+", false),
  }),
  handle: (req, ctx) => {
    const valid = ctx.version < 3 || (SOFTWARE.test(req.clientSoftwareName) && SOFTWARE.test(req.clientSoftwareVersion));
    return {
      errorCode: valid ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST,
      apiKeys: [...ctx.broker.apiRanges],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
  },
});
