import { Operation } from "../auth/acl.ts";
import { array, bool, field, int16, int32, int8, message, nullableString, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";
import { applyOverrides, namedTwice, resolveResource } from "./config-resource.ts";

/** The response both AlterConfigs and IncrementalAlterConfigs answer with, flexible from `flexibleVersions`. */
export const alterConfigsResponse = (flexibleVersions: string) =>
  message(flexibleVersions, {
    throttleTimeMs: field(int32),
    responses: field(array(struct({ errorCode: field(int16), errorMessage: field(nullableString), resourceType: field(int8), resourceName: field(string) }))),
  });

/** Versions 0–2 (v2 flexible). Kafka's semantics: the configs given replace all of the resource's overrides. */
export const alterConfigs = defineApi({
  key: 33,
  name: "AlterConfigs",
  minVersion: 0,
  maxVersion: 2,
  request: message("2+", {
    resources: field(
      array(
        struct({
          resourceType: field(int8),
          resourceName: field(string),
          configs: field(array(struct({ name: field(string), value: field(nullableString) }))),
        }),
      ),
    ),
    validateOnly: field(bool),
  }),
  response: alterConfigsResponse("2+"),
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      responses: req.resources.map((r) => {
        const base = { resourceType: r.resourceType, resourceName: r.resourceName };
        const twice = namedTwice(r.configs);
        if (twice) return { ...base, ...twice };
        const overrides = Object.fromEntries(r.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value!]));
        return { ...base, ...applyOverrides(resolveResource(r.resourceType, r.resourceName, Operation.AlterConfigs, ctx), overrides, req.validateOnly, ctx) };
      }),
    };
  },
});
