import { useEffect, useRef, useState } from "react"
import { ApiError, type Problem, refusalOf } from "../api.ts"
import { useConsole } from "../context.ts"
import { type ImportKind, importKinds, mediaTypeOf, newImportId } from "../import-file.ts"

interface Job {
  readonly id: string
  readonly kind: ImportKind
  readonly status: "running" | "finished" | "failed"
  readonly read: number
  readonly applied: number
  readonly duplicates: number
  readonly refused: number
  readonly startedAt: string
  readonly finishedAt: string | null
  readonly failure: string | null
}
interface Refusal {
  readonly line: number
  readonly field: string | null
  readonly reason: string
}
interface RefusalPage {
  readonly items: ReadonlyArray<Refusal>
  readonly nextCursor: string | null
}

// How often a running import is asked for its counts, and how many refusals a page holds.
const refreshMs = 1000
const refusalsPerPage = 50

const problemOf = (e: unknown, aborted = false): Problem =>
  e instanceof ApiError ? e.problem : { status: 0, detail: aborted ? "cancelled: the import stopped where it was (its whole batches are kept)" : String((e as Error).message) }

const JobView = ({ job }: { readonly job: Job }) => (
  <div className="import-job" data-status={job.status}>
    <p className="meta">
      <span className={`badge ${job.status === "finished" ? "landed" : job.status === "running" ? "following" : "failed"}`}>{job.status}</span>
      <span className="label">id</span> <code>{job.id}</code>
      <span className="label">started</span> {new Date(job.startedAt).toLocaleString()}
      {job.finishedAt ? <><span className="label">finished</span> {new Date(job.finishedAt).toLocaleString()}</> : null}
    </p>
    <dl className="counts">
      <div><dt>read</dt><dd data-count="read">{job.read}</dd></div>
      <div><dt>applied</dt><dd data-count="applied">{job.applied}</dd></div>
      <div><dt>duplicates</dt><dd data-count="duplicates">{job.duplicates}</dd></div>
      <div><dt>refused</dt><dd data-count="refused">{job.refused}</dd></div>
    </dl>
    {job.failure ? <p className="form-error">{job.failure}</p> : null}
  </div>
)

/** Opening balances or past purchases from a CSV or NDJSON file, streamed to the service and followed while it is applied. */
export const ImportPage = () => {
  const { canWrite, session, tenant } = useConsole()
  const [kind, setKind] = useState<ImportKind>("opening-balances")
  const [file, setFile] = useState<File | undefined>()
  const [job, setJob] = useState<Job | undefined>()
  const [refusals, setRefusals] = useState<ReadonlyArray<Refusal>>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [problem, setProblem] = useState<Problem | undefined>()
  const [busy, setBusy] = useState(false)
  const [lookup, setLookup] = useState("")
  const running = useRef<AbortController | undefined>(undefined)
  const poller = useRef<ReturnType<typeof setInterval> | undefined>(undefined)
  useEffect(() => () => clearInterval(poller.current), [])

  const service = importKinds[kind].service
  const jobPath = (id: string) => `/api/${service}/imports/${encodeURIComponent(id)}?tenant=${encodeURIComponent(tenant)}`
  const refusalsPath = (id: string, cursor: string | null) =>
    `/api/${service}/imports/${encodeURIComponent(id)}/refusals?${new URLSearchParams({ tenant, limit: String(refusalsPerPage), ...(cursor ? { cursor } : {}) })}`

  const loadRefusals = async (id: string, cursor: string | null) => {
    try {
      const page = await session.get<RefusalPage>(refusalsPath(id, cursor))
      setRefusals((shown) => (cursor ? [...shown, ...page.items] : page.items))
      setNextCursor(page.nextCursor)
    } catch (e) {
      setProblem(problemOf(e))
    }
  }

  const reset = () => {
    setProblem(undefined)
    setJob(undefined)
    setRefusals([])
    setNextCursor(null)
  }

  // An import started elsewhere (curl, another console), or by an operator, looked up by its id: a viewer's way in.
  const show = async (event: React.FormEvent) => {
    event.preventDefault()
    reset()
    const id = lookup.trim()
    try {
      const seen = await session.get<Job>(jobPath(id))
      setJob(seen)
      if (seen.refused > 0) await loadRefusals(id, null)
    } catch (e) {
      setProblem(problemOf(e))
    }
  }

  const start = async (event: React.FormEvent) => {
    event.preventDefault()
    reset()
    if (!file) return setProblem({ status: 0, field: "file", detail: "choose a file" })
    const type = mediaTypeOf(file.name)
    if (!type) return setProblem({ status: 0, field: "file", detail: "must be a .csv or .ndjson file" })
    const id = newImportId()
    const controller = new AbortController()
    running.current = controller
    setBusy(true)
    // The job exists once the service has its first bytes; until then (404) and through a passing outage the page asks again.
    poller.current = setInterval(() => {
      session.get<Job>(jobPath(id)).then((seen) => setJob((shown) => (shown?.status === "running" || shown === undefined ? seen : shown)), () => {})
    }, refreshMs)
    try {
      const response = await session.fetch(`/api/${service}/imports/${kind}?${new URLSearchParams({ tenant, id })}`, {
        method: "POST", headers: { "content-type": type }, body: file, signal: controller.signal
      })
      if (!response.ok) throw await refusalOf(response)
      setJob((await response.json()) as Job)
      await loadRefusals(id, null)
    } catch (e) {
      setProblem(problemOf(e, controller.signal.aborted))
      // What was applied before it stopped, and why it stopped.
      await session.get<Job>(jobPath(id)).then(setJob, () => {})
    } finally {
      clearInterval(poller.current)
      running.current = undefined
      setBusy(false)
    }
  }

  const fileError = problem?.field === "file" ? problem.detail : undefined
  const general = problem && !fileError ? (problem.detail ?? problem.message ?? problem.title) : undefined
  return (
    <section className="panel import">
      <header className="panel-head"><h2>Import</h2></header>
      <p className="hint">
        A CSV (with a header line) or NDJSON file from the old system, streamed to the service and applied in batches of 1000 while it uploads. Columns of
        {" "}{importKinds[kind].label}: <code>{importKinds[kind].columns}</code>. Rows refused are listed with their line; the rest is applied.
      </p>
      <form className="export-form" onSubmit={start}>
        <label className="field"><span className="label">kind</span>
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as ImportKind)} disabled={busy}>
            {(Object.keys(importKinds) as Array<ImportKind>).map((k) => <option key={k} value={k}>{importKinds[k].label}</option>)}
          </select>
        </label>
        {canWrite ? (
          <>
            <label className={`field wide${fileError ? " invalid" : ""}`}><span className="label">file</span>
              <input type="file" name="file" accept=".csv,.ndjson,.jsonl,text/csv,application/x-ndjson" onChange={(e) => setFile(e.target.files?.[0])} disabled={busy} />
              <span className="hint">.csv is sent as text/csv, .ndjson or .jsonl as application/x-ndjson</span>
              {fileError ? <span className="field-error">{fileError}</span> : null}
            </label>
            <div className="actions">
              <button className="primary" type="submit" disabled={busy}>Import</button>
              {busy ? <button type="button" onClick={() => running.current?.abort()}>Cancel</button> : null}
              {busy ? <span className="meta" role="status">uploading {file?.name}…</span> : null}
            </div>
          </>
        ) : <p className="hint wide">A viewer starts no import; look one up by its id below.</p>}
      </form>
      <form className="row" onSubmit={show}>
        <label className="field inline"><span className="label">import id</span>
          <input name="importId" value={lookup} onChange={(e) => setLookup(e.target.value)} size={38} placeholder="5b0d8c1e-2f4a-4c3b-9d6e-7a8b9c0d1e2f" disabled={busy} />
        </label>
        <button type="submit" disabled={busy || !lookup.trim()}>Show</button>
      </form>
      {general ? <p className="form-error" role="alert">{general}</p> : null}
      {job ? <JobView job={job} /> : null}
      {job && job.status !== "running" && job.refused > 0 ? (
        <div className="import-refusals">
          <h3>Refused rows</h3>
          <table>
            <thead><tr><th>line</th><th>field</th><th>reason</th></tr></thead>
            <tbody>
              {refusals.map((r) => <tr key={r.line} data-line={r.line}><td>{r.line}</td><td>{r.field ?? "—"}</td><td>{r.reason}</td></tr>)}
            </tbody>
          </table>
          {nextCursor ? <div className="actions"><button type="button" onClick={() => void loadRefusals(job.id, nextCursor)}>More refusals</button></div> : null}
          <p className="hint">{refusals.length} of {job.refused} shown</p>
        </div>
      ) : null}
    </section>
  )
}
