import { useState } from "react"
import { useConsole } from "../context.ts"

interface LedgerEntry {
  readonly id: string
  readonly amount: number
  readonly kind: string
  readonly rewardId: string | null
  readonly campaignId: string | null
  readonly eventId: string | null
  readonly occurredAt: string | null
  readonly createdAt: string
}
interface Progress {
  readonly campaignId: string
  readonly completed: ReadonlyArray<string>
  readonly missing: ReadonlyArray<string>
  readonly completions: number
  readonly reasons?: ReadonlyArray<{ readonly rule: string; readonly message: string }>
  readonly goals?: ReadonlyArray<Record<string, unknown>>
}

interface MemberToken {
  readonly token: string
  readonly expiresAt: string
}

const extras = (balance: Record<string, unknown>) => Object.entries(balance).filter(([k]) => !["tenant", "user_id", "points"].includes(k))

/** One member: balance (and pending, tier, expiring where the API has them), ledger, progress per campaign. */
export const MembersPage = () => {
  const { canWrite, session, tenant } = useConsole()
  const [userId, setUserId] = useState("0e41cc11-5e54-448b-a6ce-9c9a855ad202")
  const [balance, setBalance] = useState<Record<string, unknown> | undefined>()
  const [ledger, setLedger] = useState<ReadonlyArray<LedgerEntry>>([])
  const [progress, setProgress] = useState<ReadonlyArray<Progress & { readonly name: string }>>([])
  const [error, setError] = useState<string | undefined>()
  const [minted, setMinted] = useState<MemberToken | undefined>()

  const look = async (event: React.FormEvent) => {
    event.preventDefault()
    setError(undefined)
    const user = encodeURIComponent(userId.trim())
    const t = encodeURIComponent(tenant)
    try {
      const [b, l, c] = await Promise.all([
        session.get<Record<string, unknown>>(`/api/reward/user-rewards/${user}/?tenant=${t}`),
        session.get<{ entries: Array<LedgerEntry> }>(`/api/reward/user-rewards/${user}/ledger?tenant=${t}`),
        session.get<{ campaigns: Array<{ id: string; name: string }> }>(`/api/campaign/campaign?tenant=${t}&limit=1000`)
      ])
      setBalance(b)
      setLedger(l.entries)
      setProgress(await Promise.all(c.campaigns.map(async (campaign) => ({
        name: campaign.name,
        ...(await session.get<Progress>(`/api/campaign/campaign/${campaign.id}/progress/${user}`))
      }))))
    } catch (e) {
      setError(String((e as Error).message))
    }
  }

  // A token for trying the member-facing API as this user would through the shop's app.
  const mint = async () => {
    setError(undefined)
    try {
      setMinted(await session.post<MemberToken>(`/api/user/members/${encodeURIComponent(userId.trim())}/token`, { tenant }))
    } catch (e) {
      setError(String((e as Error).message))
    }
  }

  return (
    <div>
      <section className="panel">
        <header className="panel-head"><h2>Members</h2></header>
        <form className="row" onSubmit={look}>
          <label className="field inline"><span className="label">user id</span><input name="userId" value={userId} onChange={(e) => setUserId(e.target.value)} size={40} /></label>
          <button className="primary" type="submit">Look up</button>
          {canWrite ? <button type="button" onClick={mint}>Mint member token</button> : null}
        </form>
        {minted
          ? <p className="meta" data-member-token><span className="label">member token, until {new Date(minted.expiresAt).toLocaleString()}</span> <code>{minted.token}</code></p>
          : null}
        {error ? <p className="form-error">{error}</p> : null}
      </section>
      {balance ? (
        <div className="columns">
          <section className="panel">
            <header className="panel-head"><h2>Balance</h2></header>
            <p className="balance" data-balance={String(balance.points)}><strong>{String(balance.points)}</strong> points</p>
            {extras(balance).map(([k, v]) => <p key={k} className="meta"><span className="label">{k}</span> {typeof v === "object" ? JSON.stringify(v) : String(v)}</p>)}
            <h3>Ledger</h3>
            <table>
              <thead><tr><th>when</th><th>kind</th><th>points</th><th>campaign</th><th>event</th></tr></thead>
              <tbody>
                {ledger.length === 0 ? <tr><td colSpan={5} className="empty">no movements</td></tr> : null}
                {ledger.map((e) => (
                  <tr key={e.id}><td>{new Date(e.occurredAt ?? e.createdAt).toLocaleString()}</td><td>{e.kind}</td><td>{e.amount}</td><td title={e.campaignId ?? ""}>{e.campaignId?.slice(0, 8) ?? ""}</td><td title={e.eventId ?? ""}>{e.eventId?.slice(0, 18) ?? ""}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
          <section className="panel">
            <header className="panel-head"><h2>Progress</h2></header>
            {progress.length === 0 ? <p className="empty">no campaigns</p> : null}
            {progress.map((p) => (
              <article key={p.campaignId} className="progress">
                <h3>{p.name}</h3>
                <p className="meta">{p.completions} completions · {p.completed.length} of {p.completed.length + p.missing.length} fulfillments this round</p>
                {p.missing.length > 0 ? <p className="meta"><span className="label">missing</span> {p.missing.map((m) => m.slice(0, 8)).join(", ")}</p> : null}
                {p.reasons?.map((r) => <p key={r.rule} className="why-not"><span className="label">why not</span> {r.message}</p>)}
                {p.goals?.map((g, i) => <pre key={i}>{JSON.stringify(g, null, 2)}</pre>)}
              </article>
            ))}
          </section>
        </div>
      ) : null}
    </div>
  )
}
