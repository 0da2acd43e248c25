import { useCallback, useEffect, useState } from "react"
import { useConsole } from "../context.ts"
import { bodySchema, useOpenApi } from "../openapi.ts"
import { SchemaForm } from "../schema-form.tsx"

interface Webhook {
  readonly id: string
  readonly url: string
  readonly events: ReadonlyArray<string>
  readonly description: string | null
  readonly enabled: boolean
  readonly disabledReason: string | null
  readonly consecutiveFailures: number
}

interface Attempt {
  readonly attempt: number
  readonly at: string
  readonly status: number | null
  readonly error: string | null
  readonly latencyMs: number | null
  readonly responseExcerpt: string | null
}

interface Delivery {
  readonly id: string
  readonly eventId: string
  readonly eventType: string
  readonly userId: string
  readonly status: "pending" | "delivered" | "failed"
  readonly attempts: number
  readonly nextAttemptAt: string | null
  readonly createdAt: string
  readonly log: ReadonlyArray<Attempt>
}

interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly nextCursor: string | null
}

const lastAttempt = (delivery: Delivery) => delivery.log[delivery.log.length - 1]

/** One endpoint's delivery log, newest first, a page at a time, with redelivery. */
const Deliveries = ({ webhook }: { readonly webhook: Webhook }) => {
  const { canWrite, session } = useConsole()
  const [deliveries, setDeliveries] = useState<ReadonlyArray<Delivery>>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [note, setNote] = useState<string | undefined>()
  const path = `/api/reward/webhooks/${encodeURIComponent(webhook.id)}/deliveries?limit=20`
  const load = useCallback(() => {
    session.get<Page<Delivery>>(path).then((page) => {
      setDeliveries(page.items)
      setCursor(page.nextCursor)
    }, (e) => setNote(String(e.message)))
  }, [path, session])
  useEffect(load, [load])
  const more = () =>
    cursor && session.get<Page<Delivery>>(`${path}&cursor=${encodeURIComponent(cursor)}`).then((page) => {
      setDeliveries((shown) => [...shown, ...page.items])
      setCursor(page.nextCursor)
    }, (e) => setNote(String(e.message)))
  const redeliver = (delivery: Delivery) =>
    session.post(`/api/reward/webhooks/${encodeURIComponent(webhook.id)}/deliveries/${delivery.id}/redeliver`, {}).then(
      () => (setNote(`delivery ${delivery.id} queued again`), load()),
      (e) => setNote(`refused: ${String(e.message)}`)
    )
  return (
    <div className="deliveries" data-webhook={webhook.id}>
      <header className="panel-head"><h3>Deliveries to {webhook.url}</h3><button onClick={load}>Refresh</button></header>
      {note ? <p className="note" role="status">{note}</p> : null}
      <table>
        <thead><tr><th>id</th><th>event</th><th>member</th><th>status</th><th>attempts</th><th>last answer</th><th>created</th>{canWrite ? <th /> : null}</tr></thead>
        <tbody>
          {deliveries.length === 0 ? <tr><td colSpan={8} className="empty">nothing sent yet</td></tr> : null}
          {deliveries.map((delivery) => {
            const last = lastAttempt(delivery)
            return (
              <tr key={delivery.id} data-delivery={delivery.id}>
                <td>{delivery.id}</td>
                <td title={delivery.eventId}>{delivery.eventType}</td>
                <td>{delivery.userId}</td>
                <td className={`status ${delivery.status}`}>{delivery.status}{delivery.nextAttemptAt ? ` (next ${new Date(delivery.nextAttemptAt).toLocaleTimeString()})` : ""}</td>
                <td>{delivery.attempts}</td>
                <td title={last?.responseExcerpt ?? ""}>{last ? `${last.status ?? last.error ?? ""}${last.latencyMs !== null ? ` · ${last.latencyMs} ms` : ""}` : ""}</td>
                <td>{new Date(delivery.createdAt).toLocaleString()}</td>
                {canWrite ? <td>{delivery.status === "pending" ? null : <button onClick={() => void redeliver(delivery)}>Redeliver</button>}</td> : null}
              </tr>
            )
          })}
        </tbody>
      </table>
      {cursor ? <button onClick={() => void more()}>More</button> : null}
    </div>
  )
}

/** Webhook endpoints of the tenant: create (the signing secret is shown once), enable, disable, delete, and their delivery logs. */
export const WebhooksPage = () => {
  const { canWrite, session, tenant } = useConsole()
  const { document, error: docError } = useOpenApi("reward")
  const [webhooks, setWebhooks] = useState<ReadonlyArray<Webhook>>([])
  const [creating, setCreating] = useState(false)
  const [secret, setSecret] = useState<string | undefined>()
  const [selected, setSelected] = useState<Webhook | undefined>()
  const [error, setError] = useState<string | undefined>()
  const load = useCallback(() => {
    session.get<Page<Webhook>>(`/api/reward/webhooks?tenant=${encodeURIComponent(tenant)}&limit=1000`).then((page) => {
      setWebhooks(page.items)
      setError(undefined)
    }, (e) => setError(String(e.message)))
  }, [session, tenant])
  useEffect(load, [load])
  const createSchema = document && bodySchema(document, "post", "/webhooks")
  // The event types are checkboxes: the values the API accepts, from its document.
  const eventChoices = (createSchema?.properties?.events?.items?.enum ?? []).map((value) => ({ value: String(value), label: String(value) }))
  const setEnabled = (webhook: Webhook, enabled: boolean) =>
    session.put(`/api/reward/webhooks/${encodeURIComponent(webhook.id)}`, { url: webhook.url, events: webhook.events, enabled }).then(load, (e) => setError(String(e.message)))
  const remove = (webhook: Webhook) =>
    window.confirm(`Delete the endpoint ${webhook.url} and its delivery log?`) &&
    session.delete(`/api/reward/webhooks/${encodeURIComponent(webhook.id)}`).then(() => {
      if (selected?.id === webhook.id) setSelected(undefined)
      load()
    }, (e) => setError(String(e.message)))
  return (
    <section className="panel webhooks">
      <header className="panel-head">
        <h2>Webhooks</h2>
        {canWrite && createSchema && !creating ? <button className="primary" onClick={() => (setCreating(true), setSecret(undefined))}>New</button> : null}
      </header>
      {docError ? <p className="form-error">{docError}</p> : null}
      {creating && createSchema ? (
        <SchemaForm schema={createSchema} fixed={{ tenant }} choices={{ events: eventChoices }} submitLabel="Create" onCancel={() => setCreating(false)}
          onSubmit={async (body) => {
            const created = await session.post<{ secret: string }>("/api/reward/webhooks", body)
            setSecret(created.secret)
            setCreating(false)
            load()
          }} />
      ) : null}
      {secret ? <p className="note secret" role="status">Signing secret, shown only now: <code>{secret}</code></p> : null}
      {error ? <p className="form-error">{error}</p> : null}
      <table>
        <thead><tr><th>url</th><th>events</th><th>state</th><th>failures in a row</th><th /></tr></thead>
        <tbody>
          {webhooks.length === 0 ? <tr><td colSpan={5} className="empty">none yet</td></tr> : null}
          {webhooks.map((webhook) => (
            <tr key={webhook.id} data-webhook={webhook.id}>
              <td title={webhook.description ?? ""}>{webhook.url}</td>
              <td>{webhook.events.join(", ")}</td>
              <td>{webhook.enabled ? "enabled" : `disabled${webhook.disabledReason ? `: ${webhook.disabledReason}` : ""}`}</td>
              <td>{webhook.consecutiveFailures}</td>
              <td className="row-actions">
                <button onClick={() => setSelected(webhook)}>Deliveries</button>
                {canWrite ? <button onClick={() => void setEnabled(webhook, !webhook.enabled)}>{webhook.enabled ? "Disable" : "Enable"}</button> : null}
                {canWrite ? <button className="danger" onClick={() => void remove(webhook)}>Delete</button> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected ? <Deliveries key={selected.id} webhook={selected} /> : null}
    </section>
  )
}
