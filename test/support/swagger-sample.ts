type JsonSchema = {
  readonly examples?: ReadonlyArray<unknown>
  readonly example?: unknown
  readonly default?: unknown
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

/**
 * The request body Swagger UI's "Try it out" fills in from a JSON Schema (its 2020-12 sample
 * rules, as far as these documents use them): the schema's first example, else its default,
 * else one built from its first alternative or its properties (every property, optional ones
 * too). A string with a pattern and no example would get random text; that is refused here, so
 * a test names the field that needs an example.
 */
export const swaggerSample = (schema: JsonSchema, path = "body"): unknown => {
  if (schema.examples !== undefined && schema.examples.length > 0) return schema.examples[0]
  if (schema.default !== undefined) return schema.default
  if (schema.example !== undefined) return schema.example
  const alternatives = schema.oneOf ?? schema.anyOf
  if (alternatives !== undefined && alternatives.length > 0) {
    const { anyOf: _a, oneOf: _o, ...rest } = schema
    return swaggerSample({ ...alternatives[0]!, ...rest }, path)
  }
  const type = schema.type ?? (schema.properties ? "object" : undefined)
  if (type === "object") return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, value]) => [key, swaggerSample(value, `${path}.${key}`)]))
  if (type === "array") return [swaggerSample(schema.items ?? {}, `${path}[0]`)]
  if (schema.enum !== undefined) return schema.enum[0]
  if (type === "string") {
    if (schema.format === "date-time") return new Date().toISOString()
    if (schema.format === "uuid") return "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    if (schema.pattern !== undefined) throw new Error(`${path}: a patterned string without an example`)
    return "string"
  }
  if (type === "number" || type === "integer") {
    if (schema.minimum !== undefined && schema.minimum > 0) return schema.minimum
    if (schema.exclusiveMinimum !== undefined && schema.exclusiveMinimum >= 0) return schema.exclusiveMinimum + 1
    return 0
  }
  if (type === "boolean") return true
  throw new Error(`${path}: no sample for ${JSON.stringify(schema).slice(0, 80)}`)
}
