type JsonSchema = Record<string, unknown>

const formatSamples: Record<string, string> = {
  "date-time": new Date().toISOString(),
  uuid: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
  email: "user@example.com"
}

/**
 * The value Swagger UI's "Try it out" puts in a request body for `schema`, as its OpenAPI 3.1
 * samples do: the first of `examples`, else `default`, else `example`; else one built from the
 * schema's parts (every property, one item, the first enum value, a placeholder per type).
 */
export const swaggerSample = (schema: JsonSchema): unknown => {
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0]
  if (schema.default !== undefined) return schema.default
  if (schema.example !== undefined) return schema.example
  if (schema.const !== undefined) return schema.const
  if (Array.isArray(schema.enum)) return schema.enum[0]
  const alternatives = (schema.anyOf ?? schema.oneOf) as Array<JsonSchema> | undefined
  if (alternatives) return swaggerSample(alternatives.find((s) => s.type !== "null") ?? alternatives[0]!)
  const type = schema.type ?? (schema.properties ? "object" : undefined)
  if (type === "object") {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
    return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, swaggerSample(property)]))
  }
  if (type === "array") return [swaggerSample((schema.items ?? {}) as JsonSchema)]
  if (type === "string") return formatSamples[String(schema.format)] ?? "string"
  if (type === "integer" || type === "number") return 0
  if (type === "boolean") return true
  return null
}
