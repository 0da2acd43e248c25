import { topicConfig } from "../config/topic-configs.ts";
import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, bool, field, int8, message, nullableString, string, struct } from "../protocol/schema.ts";
import { alterConfigsResponse } from "./alter-configs.ts";
import { defineApi } from "./api.ts";
import { applyOverrides, namedTwice, ResourceType, resolveResource, type Outcome } from "./config-resource.ts";

const Op = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

type Change = { name: string; configOperation: number; value: string | null };

/** The overrides after the changes, or why they cannot be made (APPEND and SUBTRACT are for lists only). */
function changed(current: Readonly<Record<string, string>>, changes: Change[], valueOf: (name: string) => string): { overrides: Record<string, string> } | { refused: Outcome } {
  const next = { ...current };
  for (const c of changes) {
    const list = () => (valueOf(c.name) === "" ? [] : valueOf(c.name).split(",").map((v) => v.trim()));
    const items = (c.value ?? "").split(",").map((v) => v.trim()).filter((v) => v !== "");
    switch (c.configOperation) {
      case Op.SET:
        if (c.value === null) delete next[c.name];
        else next[c.name] = c.value;
        break;
      case Op.DELETE:
        delete next[c.name];
        break;
      case Op.APPEND:
      case Op.SUBTRACT: {
        const def = topicConfig(c.name);
        if (!def) return { refused: { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Unknown topic config name: ${c.name}` } };
        if (def.type !== "LIST") return { refused: { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Config value append and subtract are not allowed for ${c.name}, which is not a list.` } };
        const values = c.configOperation === Op.APPEND ? [...new Set([...list(), ...items])] : list().filter((v) => !items.includes(v));
        next[c.name] = values.join(",");
        break;
      }
      default:
        return { refused: { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown config operation ${c.configOperation} for ${c.name}.` } };
    }
  }
  return { overrides: next };
}

/** Versions 0–1 (v1 flexible): SET, DELETE, APPEND and SUBTRACT on the resource's current overrides. */
export const incrementalAlterConfigs = defineApi({
  key: 44,
  name: "IncrementalAlterConfigs",
  minVersion: 0,
  maxVersion: 1,
  request: message("1+", {
    resources: field(
      array(
        struct({
          resourceType: field(int8),
          resourceName: field(string),
          configs: field(array(struct({ name: field(string), configOperation: field(int8), value: field(nullableString) }))),
        }),
      ),
    ),
    validateOnly: field(bool),
  }),
  response: alterConfigsResponse("1+"),
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      responses: req.resources.map((r) => {
        const base = { resourceType: r.resourceType, resourceName: r.resourceName };
        const twice = namedTwice(r.configs);
        if (twice) return { ...base, ...twice };
        const resource = resolveResource(r.resourceType, r.resourceName, Operation.AlterConfigs, ctx);
        if (!("type" in resource) || resource.type !== ResourceType.TOPIC) return { ...base, ...applyOverrides(resource, {}, req.validateOnly, ctx) };
        const next = changed(resource.configs, r.configs, (name) => ctx.broker.topics.config.topicValue(name, resource.configs));
        if ("refused" in next) return { ...base, ...next.refused };
        return { ...base, ...applyOverrides(resource, next.overrides, req.validateOnly, ctx) };
      }),
    };
  },
});
