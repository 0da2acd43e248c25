import { useCallback, useEffect, useState } from "react"
import { itemsOf } from "../api.ts"
import { useConsole } from "../context.ts"
import { bodySchema, useOpenApi } from "../openapi.ts"
import { type Choices, SchemaForm } from "../schema-form.tsx"

interface Resource {
  readonly key: string
  readonly label: string
  readonly service: "user" | "reward" | "fulfillment" | "campaign"
  readonly collection: string
  /** The item route, as in the OpenAPI document (`{id}` style). */
  readonly item: string
  readonly idField: string
  readonly columns: ReadonlyArray<string>
  readonly deletable: boolean
  readonly adminOnly?: boolean
  /** Whether lists take `?tenant=` and bodies carry `tenant`. */
  readonly tenanted: boolean
  /** A console page about one item (`#/<page>/<id>`), linked from its row for every role. */
  readonly itemPage?: { readonly label: string; readonly page: string }
}

const resources: ReadonlyArray<Resource> = [
  { key: "tenants", label: "Tenants", service: "user", collection: "/tenants", item: "/tenants/{id}", idField: "id", columns: ["id", "name", "timeZone", "allowEventsWithoutId"], deletable: false, adminOnly: true, tenanted: false },
  { key: "rewards", label: "Rewards", service: "reward", collection: "/rewards/", item: "/rewards/{rewardId}/", idField: "reward_id", columns: ["reward_id", "name", "kind", "reward_points", "points_per_unit", "unit"], deletable: true, tenanted: true },
  { key: "buy-fulfillments", label: "Buy fulfillments", service: "fulfillment", collection: "/buy-fulfillments/", item: "/buy-fulfillments/{fulfillmentId}/", idField: "fulfillment_id", columns: ["fulfillment_id", "name", "product", "amount", "count", "total"], deletable: true, tenanted: true },
  { key: "tag-fulfillments", label: "Tag fulfillments", service: "fulfillment", collection: "/tag-fulfillments/", item: "/tag-fulfillments/{fulfillmentId}/", idField: "fulfillment_id", columns: ["fulfillment_id", "name", "tag", "count"], deletable: true, tenanted: true },
  { key: "campaigns", label: "Campaigns", service: "campaign", collection: "/campaign", item: "/campaign/{id}", idField: "id", columns: ["id", "name", "status", "fulfillments", "rewards"], deletable: true, tenanted: true, itemPage: { label: "Backfill", page: "backfill" } }
]

type Item = Record<string, unknown>

const itemPath = (resource: Resource, id: string) => resource.item.replace(/\{[^}]+\}/, encodeURIComponent(id))
const listPath = (resource: Resource, tenant: string) =>
  `/api/${resource.service}${resource.collection}${resource.tenanted ? `?tenant=${encodeURIComponent(tenant)}&limit=1000` : ""}`
const show = (value: unknown) => (value === undefined || value === null ? "" : Array.isArray(value) ? `${value.length} × ${value.map((v) => String(v).slice(0, 8)).join(", ")}` : String(value))

/** A campaign's fulfillments and rewards are picked from the tenant's own. */
const useChoices = (resource: Resource, tenant: string, version: number): Choices => {
  const { session } = useConsole()
  const [choices, setChoices] = useState<Choices>({})
  useEffect(() => {
    if (resource.key !== "campaigns") return
    const named = (items: ReadonlyArray<Item>, id: string, what: string) =>
      items.map((i) => ({ value: String(i[id]), label: `${what} · ${String(i.name ?? i[id])}${i.product !== undefined ? ` (${String(i.product) || "any product"} ≥ ${String(i.amount)})` : i.tag !== undefined ? ` (${String(i.tag)})` : ""}` }))
    const q = `?tenant=${encodeURIComponent(tenant)}&limit=1000`
    Promise.all([
      session.get<unknown>(`/api/fulfillment/buy-fulfillments/${q}`).then(itemsOf),
      session.get<unknown>(`/api/fulfillment/tag-fulfillments/${q}`).then(itemsOf),
      session.get<unknown>(`/api/reward/rewards/${q}`).then(itemsOf)
    ]).then(([buys, tags, rewards]) =>
      setChoices({
        fulfillments: [...named(buys, "fulfillment_id", "buy"), ...named(tags, "fulfillment_id", "tag")],
        rewards: rewards.map((r) => ({ value: String(r.reward_id), label: `${String(r.name ?? r.reward_id)} (${String(r.reward_points ?? `${String(r.points_per_unit)} per ${String(r.unit)}`)} points)` }))
      })).catch(() => setChoices({}))
  }, [resource.key, tenant, version, session])
  return choices
}

const ResourcePanel = ({ resource }: { readonly resource: Resource }) => {
  const { canWrite, session, tenant } = useConsole()
  const { document, error: docError } = useOpenApi(resource.service)
  const [items, setItems] = useState<ReadonlyArray<Item>>([])
  const [error, setError] = useState<string | undefined>()
  const [editing, setEditing] = useState<Item | "new" | undefined>()
  const [version, setVersion] = useState(0)
  const choices = useChoices(resource, tenant, version)

  const reload = useCallback(() => {
    session.get<unknown>(listPath(resource, tenant)).then((list) => {
      setItems(itemsOf(list))
      setError(undefined)
    }, (e) => setError(String(e.message ?? e)))
  }, [resource, tenant, session])
  useEffect(reload, [reload, version])

  const createSchema = document && bodySchema(document, "post", resource.collection)
  const updateSchema = document && bodySchema(document, "put", resource.item)
  const fixed = resource.tenanted ? { tenant } : {}
  const done = () => {
    setEditing(undefined)
    setVersion((v) => v + 1)
  }

  return (
    <section className="panel" data-resource={resource.key}>
      <header className="panel-head">
        <h2>{resource.label}</h2>
        {canWrite && createSchema && editing === undefined ? <button className="primary" onClick={() => setEditing("new")}>New</button> : null}
      </header>
      {docError ? <p className="form-error">{docError}</p> : null}
      {editing === "new" && createSchema ? (
        <SchemaForm key="new" schema={createSchema} fixed={fixed} choices={choices} submitLabel="Create" onCancel={() => setEditing(undefined)}
          onSubmit={async (body) => void (await session.post(`/api/${resource.service}${resource.collection}`, body), done())} />
      ) : null}
      {editing !== undefined && editing !== "new" && updateSchema ? (
        <SchemaForm key={String(editing[resource.idField])} schema={updateSchema} fixed={fixed} initial={editing} choices={choices} submitLabel="Save" onCancel={() => setEditing(undefined)}
          onSubmit={async (body) => {
            const { tenant: _omit, ...rest } = body
            await session.put(`/api/${resource.service}${itemPath(resource, String(editing[resource.idField]))}`, resource.tenanted ? rest : body)
            done()
          }} />
      ) : null}
      {error ? <p className="form-error">{error}</p> : null}
      <table>
        <thead>
          <tr>{resource.columns.map((c) => <th key={c}>{c}</th>)}{canWrite || resource.itemPage ? <th /> : null}</tr>
        </thead>
        <tbody>
          {items.length === 0 ? <tr><td colSpan={resource.columns.length + 1} className="empty">none yet</td></tr> : null}
          {items.map((item) => (
            <tr key={String(item[resource.idField])}>
              {resource.columns.map((c) => <td key={c} title={String(item[c] ?? "")}>{show(item[c])}</td>)}
              {canWrite || resource.itemPage ? (
                <td className="row-actions">
                  {resource.itemPage ? <a className="button" href={`#/${resource.itemPage.page}/${encodeURIComponent(String(item[resource.idField]))}`}>{resource.itemPage.label}</a> : null}
                  {canWrite && updateSchema ? <button onClick={() => setEditing(item)}>Edit</button> : null}
                  {canWrite && resource.deletable ? (
                    <button className="danger" onClick={async () => {
                      if (!window.confirm(`Delete ${String(item.name ?? item[resource.idField])}?`)) return
                      await session.delete(`/api/${resource.service}${itemPath(resource, String(item[resource.idField]))}`).then(() => setVersion((v) => v + 1), (e) => setError(String(e.message)))
                    }}>Delete</button>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

/** Tenants (for the platform admin), rewards, fulfillments and campaigns: list, create, edit, delete. */
export const ProgramPage = () => {
  const { isAdmin } = useConsole()
  const visible = resources.filter((r) => !r.adminOnly || isAdmin)
  const [current, setCurrent] = useState(visible[0]!.key)
  const resource = visible.find((r) => r.key === current) ?? visible[0]!
  return (
    <div>
      <nav className="tabs">
        {visible.map((r) => <button key={r.key} className={r.key === resource.key ? "active" : ""} onClick={() => setCurrent(r.key)}>{r.label}</button>)}
      </nav>
      <ResourcePanel key={resource.key} resource={resource} />
    </div>
  )
}
