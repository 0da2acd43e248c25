type JsonSchema = {
  readonly examples?: ReadonlyArray<unknown>
  readonly example?: unknown
  readonly default?: unknown
  readonly const?: unknown
  readonly anyOf?: ReadonlyArray<JsonSchema>
  readonly oneOf?: ReadonlyArray<JsonSchema>
  readonly type?: string
  readonly properties?: Record<string, JsonSchema>
  readonly items?: JsonSchema
  readonly enum?: ReadonlyArray<unknown>
  readonly format?: string
  readonly pattern?: string
  readonly minimum?: number
  readonly exclusiveMinimum?: number
}

const formatSamples: Record<string, string> = {
  "date-time": new Date().toISOString(),
  uuid: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
  email: "user@example.com"
}

/**
 * The request body Swagger UI's "Try it out" fills in from a JSON Schema (its 2020-12 sample
 * rules, as far as these documents use them): the schema's first example, else its default,
 * else one built from its first non-null alternative or its properties (every property, optional
 * ones too). A string with a pattern and no example would get random text; that is refused here,
 * so a test names the field that needs an example.
 */
export const swaggerSample = (schema: JsonSchema | Record<string, unknown>, path = "body"): unknown => {
  const given = schema as JsonSchema & { readonly allOf?: ReadonlyArray<JsonSchema> }
  // Swagger UI merges `allOf` parts into one schema before sampling it.
  const { allOf, ...own } = given
  const s: JsonSchema = allOf ? Object.assign({}, own, ...allOf) : given
  if (s.examples !== undefined && s.examples.length > 0) return s.examples[0]
  if (s.default !== undefined) return s.default
  if (s.example !== undefined) return s.example
  if (s.const !== undefined) return s.const
  const alternatives = s.oneOf ?? s.anyOf
  if (alternatives !== undefined && alternatives.length > 0) {
    const { anyOf: _a, oneOf: _o, ...rest } = s
    return swaggerSample({ ...(alternatives.find((a) => a.type !== "null") ?? alternatives[0]!), ...rest }, path)
  }
  const type = s.type ?? (s.properties ? "object" : undefined)
  if (type === "object") return Object.fromEntries(Object.entries(s.properties ?? {}).map(([key, value]) => [key, swaggerSample(value, `${path}.${key}`)]))
  if (type === "array") return [swaggerSample(s.items ?? {}, `${path}[0]`)]
  if (s.enum !== undefined) return s.enum[0]
  if (type === "string") {
    if (s.format !== undefined && formatSamples[s.format] !== undefined) return formatSamples[s.format]
    if (s.pattern !== undefined) throw new Error(`${path}: a patterned string without an example`)
    return "string"
  }
  if (type === "number" || type === "integer") {
    if (s.minimum !== undefined && s.minimum > 0) return s.minimum
    if (s.exclusiveMinimum !== undefined && s.exclusiveMinimum >= 0) return s.exclusiveMinimum + 1
    return 0
  }
  if (type === "boolean") return true
  throw new Error(`${path}: no sample for ${JSON.stringify(s).slice(0, 80)}`)
}
