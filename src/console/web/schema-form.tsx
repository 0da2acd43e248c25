import { useState } from "react"
import { fieldMessage, type Problem } from "./api.ts"

/** The part of JSON Schema the services' OpenAPI documents use for request bodies. */
export interface JsonSchema {
  readonly type?: string | ReadonlyArray<string>
  readonly title?: string
  readonly description?: string
  readonly enum?: ReadonlyArray<unknown>
  readonly properties?: Readonly<Record<string, JsonSchema>>
  readonly required?: ReadonlyArray<string>
  readonly items?: JsonSchema
  readonly format?: string
  readonly examples?: ReadonlyArray<unknown>
  readonly anyOf?: ReadonlyArray<JsonSchema>
  readonly oneOf?: ReadonlyArray<JsonSchema>
}

/** Choices for a field of ids (a campaign's `fulfillments`, `rewards`): value and label. */
export type Choices = Readonly<Record<string, ReadonlyArray<{ readonly value: string; readonly label: string }>>>

type Draft = Record<string, string | ReadonlyArray<string>>

const typesOf = (schema: JsonSchema): ReadonlyArray<string> =>
  schema.type === undefined ? [] : typeof schema.type === "string" ? [schema.type] : schema.type
const mainType = (schema: JsonSchema) => typesOf(schema).find((t) => t !== "null")
const isObject = (schema: JsonSchema) => mainType(schema) === "object" && schema.properties !== undefined
const isStringArray = (schema: JsonSchema) => mainType(schema) === "array" && schema.items !== undefined && mainType(schema.items) === "string"
const isScalar = (schema: JsonSchema) => ["string", "number", "integer", "boolean"].includes(mainType(schema) ?? "") && !schema.anyOf && !schema.oneOf

/** A field's state from an existing value, path by path. */
const flatten = (schema: JsonSchema, value: unknown, path: string, into: Draft) => {
  if (value === undefined || value === null) return
  if (isObject(schema)) {
    for (const [name, child] of Object.entries(schema.properties!)) flatten(child, (value as Record<string, unknown>)[name], path ? `${path}.${name}` : name, into)
  } else if (isStringArray(schema) && Array.isArray(value)) into[path] = value.map(String)
  else if (isScalar(schema)) into[path] = String(value)
  else into[path] = JSON.stringify(value, null, 2)
}

class DraftError extends Error {
  constructor(readonly field: string, message: string) {
    super(message)
  }
}

/** The body to send: empty fields left out, numbers and booleans as such, JSON fields parsed. */
const build = (schema: JsonSchema, draft: Draft, path: string): unknown => {
  if (isObject(schema)) {
    const entries = Object.entries(schema.properties!).flatMap(([name, child]) => {
      const value = build(child, draft, path ? `${path}.${name}` : name)
      return value === undefined ? [] : [[name, value] as const]
    })
    return entries.length === 0 && path !== "" ? undefined : Object.fromEntries(entries)
  }
  const raw = draft[path]
  if (raw === undefined) return undefined
  if (Array.isArray(raw)) return isStringArray(schema) ? (raw.length === 0 ? undefined : raw) : undefined
  const text = (raw as string).trim()
  if (text === "") return undefined
  if (isStringArray(schema)) return text.split(/[\s,]+/).filter(Boolean)
  switch (mainType(schema)) {
    case "number":
    case "integer": {
      const number = Number(text)
      if (Number.isNaN(number)) throw new DraftError(path, "must be a number")
      return number
    }
    case "boolean":
      return text === "true"
    case "string":
      if (isScalar(schema)) return raw
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new DraftError(path, "must be JSON")
  }
}

interface FormProps {
  readonly schema: JsonSchema
  /** Fields the page fills itself (the tenant), not shown. */
  readonly fixed?: Readonly<Record<string, unknown>>
  readonly initial?: unknown
  readonly choices?: Choices
  readonly submitLabel: string
  readonly onSubmit: (body: Record<string, unknown>) => Promise<void>
  readonly onCancel?: () => void
}

/**
 * A form for a request body, built from the OpenAPI document the service publishes: every field it
 * has is there (new ones too), and the service's validation message shows at the field it names.
 */
export const SchemaForm = ({ choices = {}, fixed = {}, initial, onCancel, onSubmit, schema, submitLabel }: FormProps) => {
  const [draft, setDraft] = useState<Draft>(() => {
    const into: Draft = {}
    flatten(schema, initial, "", into)
    return into
  })
  const [problem, setProblem] = useState<Problem | undefined>()
  const [busy, setBusy] = useState(false)
  const set = (path: string, value: string | ReadonlyArray<string>) => setDraft((d) => ({ ...d, [path]: value }))

  const submit = async (event: React.FormEvent) => {
    event.preventDefault()
    setProblem(undefined)
    let body: Record<string, unknown>
    try {
      body = { ...(build(schema, draft, "") as Record<string, unknown>), ...fixed }
    } catch (error) {
      if (error instanceof DraftError) return setProblem({ status: 0, field: error.field, detail: error.message })
      throw error
    }
    setBusy(true)
    try {
      await onSubmit(body)
    } catch (error) {
      const p = (error as { problem?: Problem }).problem
      setProblem(p ?? { status: 0, detail: String(error) })
    } finally {
      setBusy(false)
    }
  }

  const field = (name: string, child: JsonSchema, path: string, required: boolean): React.ReactNode => {
    if (path in fixed) return null
    const message = fieldMessage(problem, path)
    const label = (
      <span className="label">
        {name}
        {required ? <em className="required"> *</em> : null}
      </span>
    )
    const hint = child.description ? <small className="hint">{child.description.replace(/`/g, "")}</small> : null
    const error = message ? <small className="field-error" role="alert">{message}</small> : null
    if (isObject(child)) {
      return (
        <fieldset key={path} className={message ? "invalid" : undefined}>
          <legend>{name}</legend>
          {hint}
          {Object.entries(child.properties!).map(([n, c]) => field(n, c, `${path}.${n}`, child.required?.includes(n) ?? false))}
          {error}
        </fieldset>
      )
    }
    const value = draft[path]
    let input: React.ReactNode
    const options = choices[path]
    if (isStringArray(child) && options) {
      const chosen = Array.isArray(value) ? value : []
      input = (
        <div className="choices" data-field={path}>
          {options.length === 0 ? <small className="hint">none yet: create some first</small> : null}
          {options.map((o) => (
            <label key={o.value} className="choice">
              <input type="checkbox" checked={chosen.includes(o.value)} onChange={(e) => set(path, e.target.checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value))} />
              {o.label}
            </label>
          ))}
        </div>
      )
    } else if (child.enum || mainType(child) === "boolean") {
      const values = child.enum ?? [true, false]
      input = (
        <select name={path} value={typeof value === "string" ? value : ""} onChange={(e) => set(path, e.target.value)}>
          <option value="">—</option>
          {values.map((v) => <option key={String(v)} value={String(v)}>{String(v)}</option>)}
        </select>
      )
    } else if (isScalar(child) || isStringArray(child)) {
      const example = child.examples?.[0]
      input = (
        <input
          name={path}
          value={typeof value === "string" ? value : Array.isArray(value) ? value.join(", ") : ""}
          placeholder={example === undefined ? "" : String(example)}
          inputMode={mainType(child) === "number" || mainType(child) === "integer" ? "decimal" : undefined}
          onChange={(e) => set(path, e.target.value)}
        />
      )
    } else {
      input = <textarea name={path} rows={4} value={typeof value === "string" ? value : ""} placeholder="JSON" onChange={(e) => set(path, e.target.value)} />
    }
    return (
      <label key={path} className={`field${message ? " invalid" : ""}`}>
        {label}
        {input}
        {hint}
        {error}
      </label>
    )
  }

  const general = problem && !Object.keys(schema.properties ?? {}).some((name) => fieldMessage(problem, name, true))
  return (
    <form className="schema-form" onSubmit={submit}>
      {Object.entries(schema.properties ?? {}).map(([name, child]) => field(name, child, name, schema.required?.includes(name) ?? false))}
      {general ? <p className="form-error" role="alert">{problem.detail ?? problem.message}</p> : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>{submitLabel}</button>
        {onCancel ? <button type="button" onClick={onCancel}>Cancel</button> : null}
      </div>
    </form>
  )
}
