import { ConfigSource, ConfigType, type DescribedConfig } from "../config/broker-config.ts";
import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, bool, field, int16, int32, int8, message, nullableArray, nullableString, string, struct } from "../protocol/schema.ts";
import { defineApi, type RequestContext } from "./api.ts";
import { ResourceType, resolveResource } from "./config-resource.ts";

const synonym = struct({ name: field(string, "1+"), value: field(nullableString, "1+"), source: field(int8, "1+") });

const config = struct({
  name: field(string),
  value: field(nullableString),
  readOnly: field(bool),
  isDefault: field(bool, "0"),
  configSource: field(int8, "1+", -1),
  isSensitive: field(bool),
  synonyms: field(array(synonym), "1+"),
  configType: field(int8, "3+"),
  documentation: field(nullableString, "3+"),
});

const result = struct({
  errorCode: field(int16),
  errorMessage: field(nullableString),
  resourceType: field(int8),
  resourceName: field(string),
  configs: field(array(config)),
});

type Options = { includeSynonyms: boolean; includeDocumentation: boolean };

function entry(c: DescribedConfig, o: Options) {
  return {
    name: c.name,
    value: c.value,
    readOnly: c.readOnly,
    isDefault: c.source === "DEFAULT_CONFIG",
    configSource: ConfigSource[c.source],
    isSensitive: false,
    synonyms: o.includeSynonyms ? c.synonyms.map((s) => ({ name: s.name, value: s.value, source: ConfigSource[s.source] })) : [],
    configType: ConfigType[c.type],
    documentation: o.includeDocumentation ? c.documentation : null,
  };
}

function describe(resourceType: number, resourceName: string, ctx: RequestContext): DescribedConfig[] | { errorCode: number; errorMessage: string } {
  const resource = resolveResource(resourceType, resourceName, Operation.DescribeConfigs, ctx);
  if ("errorCode" in resource) return resource;
  const { config } = ctx.broker.topics;
  return resource.type === ResourceType.TOPIC ? config.describeTopic(resource.configs) : config.describe();
}

/** Versions 0–4 (v4 flexible). Topics report every config with its source; the broker its static configs. */
export const describeConfigs = defineApi({
  key: 32,
  name: "DescribeConfigs",
  minVersion: 0,
  maxVersion: 4,
  request: message("4+", {
    resources: field(array(struct({ resourceType: field(int8), resourceName: field(string), configurationKeys: field(nullableArray(string)) }))),
    includeSynonyms: field(bool, "1+"),
    includeDocumentation: field(bool, "3+"),
  }),
  response: message("4+", { throttleTimeMs: field(int32), results: field(array(result)) }),
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      results: req.resources.map((r) => {
        const found = describe(r.resourceType, r.resourceName, ctx);
        const base = { resourceType: r.resourceType, resourceName: r.resourceName };
        if (!Array.isArray(found)) return { ...base, ...found, configs: [] };
        const keys = r.configurationKeys === null ? null : new Set(r.configurationKeys);
        const configs = found.filter((c) => keys === null || keys.has(c.name)).map((c) => entry(c, req));
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
      }),
    };
  },
});
