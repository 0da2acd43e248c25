import { Validator } from "@seriousme/openapi-schema-validator"

/** Validates a document against the official OpenAPI 3.0/3.1 JSON Schemas. */
export const openApiErrors = async (document: unknown): Promise<ReadonlyArray<unknown>> => {
  const validator = new Validator()
  const result = await validator.validate(document as Parameters<Validator["validate"]>[0])
  return result.valid ? [] : (Array.isArray(result.errors) ? result.errors : [result.errors])
}
