import { useCallback, useEffect, useState } from "react"
import { ApiError, fieldMessage, itemsOf, type Problem } from "../api.ts"
import { useConsole } from "../context.ts"
import { instantOf, localOf } from "../local-time.ts"

interface Partition {
  readonly partition: number
  readonly start: string
  readonly end: string
  readonly current: string
}

interface Job {
  readonly id: string
  readonly campaignId: string
  readonly from: string
  readonly status: "running" | "done"
  readonly phase: "refunds" | "fulfillments" | "derived" | "done"
  readonly partitions: ReadonlyArray<Partition>
  readonly refundPartitions: ReadonlyArray<Partition>
  readonly derivedPartitions?: ReadonlyArray<Partition>
  readonly percent: number
  readonly refundsRead: number
  readonly eventsRead: number
  readonly derivedRead?: number
  readonly membersCompleted: number
  readonly rewardsGranted: number
  readonly pointsGranted: number
  readonly createdAt: string
  readonly finishedAt: string | null
}

interface Campaign {
  readonly id: string
  readonly name: string
  readonly status: string
}

// How often a running job is asked again.
const refreshMs = 1000
const aDayAgo = () => localOf(new Date(Date.now() - 24 * 3600_000))

// `#/backfill/<campaign id>`, as a campaign's row links to it.
const campaignOfHash = () => decodeURIComponent(window.location.hash.replace(/^#\/?/, "").split("/")[1] ?? "")

const problemOf = (e: unknown): Problem => (e instanceof ApiError ? e.problem : { status: 0, detail: String((e as Error).message) })

const Offsets = ({ topic, partitions }: { readonly topic: string; readonly partitions: ReadonlyArray<Partition> }) => (
  <table data-topic={topic}>
    <thead><tr><th>{topic}</th><th>start</th><th>current</th><th>end</th></tr></thead>
    <tbody>
      {partitions.length === 0 ? <tr><td colSpan={4} className="empty">nothing to read</td></tr> : null}
      {partitions.map((p) => <tr key={p.partition}><td>{p.partition}</td><td>{p.start}</td><td>{p.current}</td><td>{p.end}</td></tr>)}
    </tbody>
  </table>
)

/** The job's answer, as it stands: status and phase, counts, and each partition's offsets in both topics. */
const JobView = ({ job }: { readonly job: Job }) => (
  <div className="backfill-job" data-status={job.status} data-phase={job.phase}>
    <p className="meta">
      <span className={`badge ${job.status === "done" ? "landed" : "following"}`}>{job.status === "done" ? "done" : `reading ${job.phase}`}</span>
      <progress max={100} value={job.percent} /> <strong data-percent>{job.percent}%</strong>
      <span className="label">from</span> {new Date(job.from).toLocaleString()}
      <span className="label">started</span> {new Date(job.createdAt).toLocaleString()}
      {job.finishedAt ? <><span className="label">finished</span> {new Date(job.finishedAt).toLocaleString()}</> : null}
    </p>
    <dl className="counts">
      <div><dt>refunds read</dt><dd data-count="refundsRead">{job.refundsRead}</dd></div>
      <div><dt>events read</dt><dd data-count="eventsRead">{job.eventsRead}</dd></div>
      <div><dt>derived completions read</dt><dd data-count="derivedRead">{job.derivedRead ?? 0}</dd></div>
      <div><dt>rounds completed</dt><dd data-count="membersCompleted">{job.membersCompleted}</dd></div>
      <div><dt>rewards granted</dt><dd data-count="rewardsGranted">{job.rewardsGranted}</dd></div>
      <div><dt>points granted</dt><dd data-count="pointsGranted">{job.pointsGranted}</dd></div>
    </dl>
    <Offsets topic="fulfillment-revoked" partitions={job.refundPartitions} />
    <Offsets topic="fulfillment" partitions={job.partitions} />
    {job.derivedPartitions && job.phase === "derived" ? <p className="meta">Derived completions (the purchases and activities the campaign's fulfillments never judged, from before they were created) are read on <code>backfill-fulfillment</code> until the fulfillment service sends their end.</p> : null}
  </div>
)

/** The campaign's earlier jobs, newest first: when, from when, and what each granted. */
const History = ({ jobs }: { readonly jobs: ReadonlyArray<Job> }) => (
  <table className="backfill-history">
    <thead><tr><th>started</th><th>from</th><th>status</th><th>refunds read</th><th>events read</th><th>derived read</th><th>rewards granted</th><th>points granted</th></tr></thead>
    <tbody>
      {jobs.map((j) => (
        <tr key={j.id} data-job={j.id}>
          <td>{new Date(j.createdAt).toLocaleString()}</td><td>{new Date(j.from).toLocaleString()}</td><td>{j.status}</td>
          <td>{j.refundsRead}</td><td>{j.eventsRead}</td><td>{j.derivedRead ?? 0}</td><td>{j.rewardsGranted}</td><td>{j.pointsGranted}</td>
        </tr>
      ))}
    </tbody>
  </table>
)

/** A campaign's backfill: started over the past `fulfillment` events since a time, then followed until done. */
export const BackfillPage = () => {
  const { canWrite, session, tenant } = useConsole()
  const [campaigns, setCampaigns] = useState<ReadonlyArray<Campaign>>([])
  const [campaignId, setCampaignId] = useState(campaignOfHash)
  const [from, setFrom] = useState(aDayAgo)
  const [job, setJob] = useState<Job | null | undefined>()
  const [history, setHistory] = useState<ReadonlyArray<Job>>([])
  const [problem, setProblem] = useState<Problem | undefined>()
  // Bumped by a refresh that failed, so that following a running job goes on after a passing outage.
  const [failures, setFailures] = useState(0)

  useEffect(() => {
    session.get<unknown>(`/api/campaign/campaign?tenant=${encodeURIComponent(tenant)}&limit=1000`).then((answer) => {
      const list = itemsOf<Campaign>(answer)
      setCampaigns(list)
      setCampaignId((current) => current || list[0]?.id || "")
    }, (e) => setProblem(problemOf(e)))
  }, [session, tenant])

  // The campaign's job, or null when it has none (a 404 about the backfill, not the campaign).
  const load = useCallback(async (id: string) => {
    try {
      setJob(await session.get<Job>(`/api/campaign/campaign/${encodeURIComponent(id)}/backfill`))
      setProblem(undefined)
    } catch (e) {
      if (e instanceof ApiError && e.problem.status === 404 && e.problem.resource === "backfill") setJob(null)
      else {
        setProblem(problemOf(e))
        setFailures((n) => n + 1)
      }
    }
  }, [session])

  useEffect(() => {
    setJob(undefined)
    setProblem(undefined)
    if (campaignId) void load(campaignId)
  }, [campaignId, load])

  // The list again whenever the latest job is another one or changes its status.
  useEffect(() => {
    if (!campaignId || !job) {
      setHistory([])
      return
    }
    session.get<unknown>(`/api/campaign/campaign/${encodeURIComponent(campaignId)}/backfills?limit=20`).then((answer) => setHistory(itemsOf<Job>(answer)), () => undefined)
  }, [session, campaignId, job?.id, job?.status])

  useEffect(() => {
    if (job?.status !== "running") return
    const timer = setTimeout(() => void load(job.campaignId), refreshMs)
    return () => clearTimeout(timer)
  }, [job, load, failures])

  const start = async (event: React.FormEvent) => {
    event.preventDefault()
    setProblem(undefined)
    try {
      setJob(await session.post<Job>(`/api/campaign/campaign/${encodeURIComponent(campaignId)}/backfill`, { from: instantOf(from) }))
    } catch (e) {
      setProblem(problemOf(e))
    }
  }

  const fromError = fieldMessage(problem, "from")?.replace(/^from: /, "")
  return (
    <section className="panel backfill">
      <header className="panel-head"><h2>Backfill</h2></header>
      <p className="hint">
        Re-evaluates one campaign over the past <code>fulfillment</code> events since a time and credits what it would have granted, with the
        refunds of the same time judged first (a refunded purchase earns nothing). Events the live campaign or an earlier job counted are not counted
        again. One job runs per campaign at a time.
      </p>
      <form className="export-form" onSubmit={start}>
        <label className="field wide"><span className="label">campaign</span>
          <select name="campaign" value={campaignId} onChange={(e) => setCampaignId(e.target.value)}>
            {campaigns.length === 0 ? <option value="">no campaigns</option> : null}
            {campaigns.map((c) => <option key={c.id} value={c.id}>{c.name} ({c.status})</option>)}
          </select>
        </label>
        {canWrite ? (
          <>
            <label className={`field${fromError ? " invalid" : ""}`}><span className="label">from</span>
              <input type="datetime-local" name="from" value={from} onChange={(e) => setFrom(e.target.value)} />
              <span className="hint">events from this time on (by record timestamp)</span>
              {fromError ? <span className="field-error">{fromError}</span> : null}
            </label>
            <div className="actions">
              <button className="primary" type="submit" disabled={!campaignId || job?.status === "running"}>Start backfill</button>
              {job?.status === "running" ? <span className="hint">wait for the running job to finish</span> : null}
            </div>
          </>
        ) : null}
      </form>
      {problem && !fromError ? <p className="form-error" role="alert">{problem.detail ?? problem.message ?? problem.title}</p> : null}
      {job === null ? <p className="empty">no backfill for this campaign yet</p> : null}
      {job ? <JobView job={job} /> : null}
      {history.length > 1 ? <><h3>Earlier jobs</h3><History jobs={history.filter((j) => j.id !== job?.id)} /></> : null}
    </section>
  )
}
