import { useRef, useState } from "react"
import { ApiError, fieldMessage, type Problem } from "../api.ts"
import { useConsole } from "../context.ts"
import { downloadFile } from "../download.ts"
import { instantOf } from "../local-time.ts"

type Kind = "ledger" | "balances"
type Format = "csv" | "ndjson"

const sizeOf = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`)

/** The query of `GET /exports/<kind>`: the period only for the ledger. */
const exportPath = (kind: Kind, tenant: string, format: Format, from: string, to: string) => {
  const query = new URLSearchParams({ tenant, format })
  const [since, until] = [instantOf(from), instantOf(to)]
  if (kind === "ledger" && since) query.set("from", since)
  if (kind === "ledger" && until) query.set("to", until)
  return `/api/reward/exports/${kind}?${query}`
}

/** The tenant's ledger (for a period of event time) or balances, downloaded as CSV or NDJSON through the console. */
export const ExportsPage = () => {
  const { session, tenant } = useConsole()
  const [kind, setKind] = useState<Kind>("ledger")
  const [format, setFormat] = useState<Format>("csv")
  const [from, setFrom] = useState("")
  const [to, setTo] = useState("")
  const [problem, setProblem] = useState<Problem | undefined>()
  const [bytes, setBytes] = useState<number | undefined>()
  const [saved, setSaved] = useState<{ readonly name: string; readonly bytes: number } | undefined>()
  const running = useRef<AbortController | undefined>(undefined)
  const [busy, setBusy] = useState(false)

  const download = async (event: React.FormEvent) => {
    event.preventDefault()
    setProblem(undefined)
    setSaved(undefined)
    setBytes(0)
    const controller = new AbortController()
    running.current = controller
    setBusy(true)
    const period = kind === "ledger" && (from || to) ? `-${(from || "start").replace(/:/g, "")}--${(to || "now").replace(/:/g, "")}` : ""
    try {
      setSaved(await downloadFile(session, exportPath(kind, tenant, format, from, to), `${tenant}-${kind}${period}.${format}`, { signal: controller.signal, onProgress: setBytes }))
    } catch (e) {
      setProblem(e instanceof ApiError ? e.problem : { status: 0, detail: controller.signal.aborted ? "cancelled" : String((e as Error).message) })
    } finally {
      running.current = undefined
      setBusy(false)
      setBytes(undefined)
    }
  }

  const fieldError = (name: string) => fieldMessage(problem, name)?.replace(`${name}: `, "")
  const bound = (name: "from" | "to", value: string, set: (v: string) => void, hint: string) => (
    <label className={`field${fieldError(name) ? " invalid" : ""}`}>
      <span className="label">{name}</span>
      <input type="datetime-local" name={name} value={value} onChange={(e) => set(e.target.value)} disabled={kind !== "ledger"} />
      <span className="hint">{hint}</span>
      {fieldError(name) ? <span className="field-error">{fieldError(name)}</span> : null}
    </label>
  )
  // A problem about no field the form has is shown under the form.
  const general = problem && !["from", "to", "format"].some((f) => fieldError(f)) ? (problem.detail ?? problem.message ?? problem.title) : undefined

  return (
    <section className="panel exports">
      <header className="panel-head"><h2>Exports</h2></header>
      <p className="hint">Streamed by the reward service a page at a time; the browser keeps the file in memory until it is saved.</p>
      <form className="export-form" onSubmit={download}>
        <label className="field"><span className="label">kind</span>
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="ledger">ledger (every movement)</option>
            <option value="balances">balances (one line per member)</option>
          </select>
        </label>
        <label className={`field${fieldError("format") ? " invalid" : ""}`}><span className="label">format</span>
          <select name="format" value={format} onChange={(e) => setFormat(e.target.value as Format)}>
            <option value="csv">CSV</option>
            <option value="ndjson">NDJSON</option>
          </select>
          {fieldError("format") ? <span className="field-error">{fieldError("format")}</span> : null}
        </label>
        {bound("from", from, setFrom, "event time, inclusive; empty: from the start")}
        {bound("to", to, setTo, "event time, exclusive; empty: up to now")}
        <div className="actions">
          <button className="primary" type="submit" disabled={busy}>Download</button>
          {busy ? <button type="button" onClick={() => running.current?.abort()}>Cancel</button> : null}
        </div>
      </form>
      {bytes !== undefined ? <p className="meta" role="status">receiving… {sizeOf(bytes)}</p> : null}
      {saved ? <p className="note" role="status" data-saved={saved.name}>saved {saved.name} ({sizeOf(saved.bytes)})</p> : null}
      {general ? <p className="form-error" role="alert">{general}</p> : null}
    </section>
  )
}
