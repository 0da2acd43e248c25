import { useEffect, useState } from "react"
import type { JsonSchema } from "./schema-form.tsx"

export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, { readonly requestBody?: { readonly content?: Record<string, { readonly schema?: JsonSchema }> } }>>>>
}

const documents = new Map<string, Promise<OpenApiDocument>>()

/** A service's OpenAPI document, as it publishes it now (so forms follow the API as it grows). */
export const openApiOf = (service: string): Promise<OpenApiDocument> => {
  let document = documents.get(service)
  if (!document) {
    document = fetch(`/api/${service}/swagger/json`).then((r) => {
      if (!r.ok) throw new Error(`the ${service} service's OpenAPI document: HTTP ${r.status}`)
      return r.json() as Promise<OpenApiDocument>
    })
    document.catch(() => documents.delete(service))
    documents.set(service, document)
  }
  return document
}

export const bodySchema = (document: OpenApiDocument, method: string, path: string): JsonSchema | undefined =>
  document.paths[path]?.[method]?.requestBody?.content?.["application/json"]?.schema

export const hasOperation = (document: OpenApiDocument, method: string, path: string) => document.paths[path]?.[method] !== undefined

export const useOpenApi = (service: string) => {
  const [document, setDocument] = useState<OpenApiDocument | undefined>()
  const [error, setError] = useState<string | undefined>()
  useEffect(() => {
    openApiOf(service).then(setDocument, (e) => setError(String(e)))
  }, [service])
  return { document, error }
}
