import { useEffect, useState } from "react"
import { ApiError } from "../api.ts"
import { useConsole } from "../context.ts"
import { hasOperation, useOpenApi } from "../openapi.ts"
import { type Followed, FlowView } from "./flow.tsx"

/** The purchase the original README produced through Kafka UI. */
const examples: Record<string, object> = {
  buy: { tenant: "meiwei", product: "bread", amount: 101, userId: "0e41cc11-5e54-448b-a6ce-9c9a855ad202" },
  activity: { tenant: "meiwei", userId: "0e41cc11-5e54-448b-a6ce-9c9a855ad202", tag: "review" },
  refund: { tenant: "meiwei", userId: "0e41cc11-5e54-448b-a6ce-9c9a855ad202", orderId: "order-1001" }
}

/** A test event (buy, activity, refund where the API has it), its dry run, then sent to Kafka or the API. */
export const SendEventPage = () => {
  const { canWrite, session, tenant } = useConsole()
  const { document } = useOpenApi("fulfillment")
  const kinds = ["buy", "activity", ...(document && hasOperation(document, "post", "/events/refund") ? ["refund"] : [])]
  const [kind, setKind] = useState("buy")
  const [text, setText] = useState(() => JSON.stringify({ ...examples.buy, tenant }, null, 2))
  const [via, setVia] = useState<"kafka" | "api">("kafka")
  const [dryRun, setDryRun] = useState<unknown>()
  const [error, setError] = useState<string | undefined>()
  const [followed, setFollowed] = useState<Followed | undefined>()
  useEffect(() => setText(JSON.stringify({ ...examples[kind], tenant }, null, 2)), [kind, tenant])

  const parsed = (): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(text) as Record<string, unknown>
    } catch {
      setError("the event is not valid JSON")
      return undefined
    }
  }
  const describe = (e: unknown) => {
    if (!(e instanceof ApiError)) return String(e)
    const fields = e.problem.details?.map((d) => `${d.field}: ${d.message}`).join("; ")
    return fields ? `${e.message} (${fields})` : e.message
  }

  const runDryRun = async () => {
    setError(undefined)
    setDryRun(undefined)
    const event = parsed()
    if (!event) return
    await session.post(`/api/fulfillment/events/${kind}?dryRun=true`, event).then(setDryRun, (e) => setError(describe(e)))
  }

  const send = async () => {
    setError(undefined)
    const event = parsed()
    if (!event) return
    const since = Date.now() - 2000
    try {
      const eventId = via === "kafka"
        ? (await session.post<{ eventId: string }>(`/kafka/events/${kind}`, event)).eventId
        : (await session.post<{ eventIds: Array<string> }>(`/api/fulfillment/events/${kind}`, event, true, { "idempotency-key": crypto.randomUUID() })).eventIds[0]!
      setFollowed({ eventId, since, tenant: String(event.tenant), userId: String(event.userId) })
    } catch (e) {
      setError(describe(e))
    }
  }

  return (
    <div className="columns">
      <section className="panel">
        <header className="panel-head"><h2>Send a test event</h2></header>
        <div className="row">
          <label className="field inline"><span className="label">event</span>
            <select name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>{kinds.map((k) => <option key={k}>{k}</option>)}</select>
          </label>
          <label className="field inline"><span className="label">send through</span>
            <select name="via" value={via} onChange={(e) => setVia(e.target.value as "kafka" | "api")}>
              <option value="kafka">Kafka (topic {kind})</option>
              <option value="api">the ingestion API (POST /events/{kind})</option>
            </select>
          </label>
        </div>
        <textarea name="event" className="code" rows={9} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
        {error ? <p className="form-error" role="alert">{error}</p> : null}
        {canWrite ? (
          <div className="actions">
            <button onClick={runDryRun}>Dry run</button>
            <button className="primary" onClick={send}>Send</button>
          </div>
        ) : <p className="hint">Viewers may look, not send.</p>}
        {dryRun !== undefined ? (
          <div className="dry-run">
            <h3>Dry run: what it would do</h3>
            <pre>{JSON.stringify(dryRun, null, 2)}</pre>
          </div>
        ) : null}
      </section>
      {followed ? <FlowView followed={followed} /> : null}
    </div>
  )
}
