import { Result, Schema } from "effect"
import { makeValidator } from "../domain/validation.ts"
import { InvalidRequest } from "./invalid-request.ts"

type JsonSchema = Record<string, unknown>

// Effect emits named sub-schemas as `$defs` with `#/$defs/...` references. Inside an OpenAPI
// document `#` means the document root, so those references would dangle: inline them, keeping
// the name as the title so Swagger UI still shows it.
const inlineDefs = (root: JsonSchema): JsonSchema => {
  const defs = (root.$defs ?? {}) as Record<string, JsonSchema>
  const resolve = (node: unknown, seen: ReadonlySet<string>): unknown => {
    if (Array.isArray(node)) return node.map((item) => resolve(item, seen))
    if (node === null || typeof node !== "object") return node
    const ref = (node as JsonSchema).$ref
    if (typeof ref === "string" && ref.startsWith("#/$defs/")) {
      const name = decodeURIComponent(ref.slice("#/$defs/".length))
      const target = defs[name]
      if (target && !seen.has(name)) return resolve({ title: name, ...target }, new Set([...seen, name]))
    }
    return Object.fromEntries(
      Object.entries(node).filter(([key]) => key !== "$defs").map(([key, value]) => [key, resolve(value, seen)])
    )
  }
  return resolve(root, new Set()) as JsonSchema
}

/**
 * One Effect Schema serves Elysia twice: as the Standard Schema that validates requests and
 * responses, and as the JSON Schema that fills the OpenAPI document.
 */
export const standard = <S extends Schema.Top & Schema.ConstraintDecoder<unknown>>(schema: S) => {
  const converted = Schema.toStandardJSONSchemaV1(Schema.toStandardSchemaV1(schema))
  const std = converted["~standard"]
  Object.defineProperty(converted, "~standard", {
    value: {
      ...std,
      validate: std.validate,
      jsonSchema: {
        input: (options: Parameters<typeof std.jsonSchema.input>[0]) => inlineDefs(std.jsonSchema.input(options)),
        output: (options: Parameters<typeof std.jsonSchema.output>[0]) => inlineDefs(std.jsonSchema.output(options))
      }
    },
    configurable: true
  })
  return converted
}

/**
 * `standard` for what a request carries (its body, query or path). A failure is answered from
 * here, as a 422 with bounded issues: Elysia's own validation error would first serialise the
 * whole submitted value, pretty-printed with every issue, into its message, at a cost that grows
 * with what the client sent.
 */
export const input = <S extends Schema.Top & Schema.ConstraintDecoder<unknown>>(schema: S, on: "body" | "query" | "params" = "body") => {
  const converted = standard(schema)
  const validate = makeValidator(schema)
  Object.defineProperty(converted, "~standard", {
    value: {
      ...converted["~standard"],
      validate: (value: unknown) => {
        const outcome = validate(value)
        if (Result.isFailure(outcome)) throw new InvalidRequest(on, outcome.failure)
        return { value: outcome.success }
      }
    },
    configurable: true
  })
  return converted
}

export const FieldError = Schema.Struct({
  field: Schema.String,
  message: Schema.String
})

const factFields = {
  error: Schema.String.annotate({ description: "A stable error code, e.g. `NotFound`" }),
  message: Schema.String,
  field: Schema.optionalKey(Schema.String),
  details: Schema.optionalKey(Schema.Array(FieldError))
}

/** What the code states about an error: its code, a readable message, the field at fault, its facts. */
export const ErrorFacts = Schema.StructWithRest(Schema.Struct(factFields), [Schema.Record(Schema.String, Schema.Unknown)])
export type ErrorFacts = typeof ErrorFacts.Type

/**
 * Every error answer has this shape, as RFC 9457 problem details (`application/problem+json`):
 * `type`, `title`, `status` and `detail`, plus a stable `error` code, a readable message, the
 * field at fault, and the facts of the error (e.g. the current `balance` of a refused redemption).
 */
export const ErrorBody = Schema.StructWithRest(
  Schema.Struct({
    type: Schema.String.annotate({ description: "The problem type: `urn:loyaltea:problem:<error code in kebab case>`" }),
    title: Schema.String.annotate({ description: "The status in words" }),
    status: Schema.Int,
    detail: Schema.String.annotate({ description: "The same as `message`" }),
    ...factFields
  }),
  [Schema.Record(Schema.String, Schema.Unknown)]
).annotate({
  identifier: "Error",
  examples: [{
    type: "urn:loyaltea:problem:not-found",
    title: "Not Found",
    status: 404,
    detail: "reward 0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d not found",
    error: "NotFound",
    message: "reward 0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d not found"
  }]
})
export type ErrorBody = typeof ErrorBody.Type

export const errorResponse = standard(ErrorBody)
