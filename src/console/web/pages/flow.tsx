import { useEffect, useState } from "react"
import { pretty } from "../api.ts"
import { useConsole } from "../context.ts"

interface Hop {
  readonly record: { readonly topic: string; readonly partition: number; readonly offset: string; readonly timestamp: string; readonly key: string | null; readonly value: string | null }
  readonly eventId: string
  readonly causeEventId: string | null
  readonly deadLetter: string | null
  readonly landed: boolean
}

/** Reads `event: <name>\ndata: <json>` blocks from a streamed response. */
const readEvents = async (response: Response, onEvent: (name: string, data: unknown) => void, signal: AbortSignal) => {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ""
  while (!signal.aborted) {
    const { done, value } = await reader.read()
    if (done) return
    buffer += value
    let end: number
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const name = /^event: (.*)$/m.exec(block)?.[1]
      const data = /^data: (.*)$/m.exec(block)?.[1]
      if (name && data) onEvent(name, JSON.parse(data))
    }
  }
}

// The topics are read side by side, so hops arrive in any order: shown in the order of the flow.
const rank = (topic: string) => {
  const base = topic.replace(/\.dlq$/, "")
  const step = ["buy", "activity", "refund", "fulfillment", "fulfillment-revoked", "reward", "reward-revoked", "reward-notify"].indexOf(base)
  return step * 2 + (topic.endsWith(".dlq") ? 1 : 0)
}
const inFlowOrder = (a: Hop, b: Hop) => rank(a.record.topic) - rank(b.record.topic) || a.record.timestamp.localeCompare(b.record.timestamp)

export interface Followed {
  readonly eventId: string
  readonly since: number
  readonly tenant: string
  readonly userId: string
}

/**
 * The live way of one event: each hop as the console's server sees it on Kafka (topic, partition,
 * offset, time), until the points land; then the member's balance.
 */
export const FlowView = ({ followed }: { readonly followed: Followed }) => {
  const { session } = useConsole()
  const [hops, setHops] = useState<ReadonlyArray<Hop>>([])
  const [state, setState] = useState("connecting")
  const [balance, setBalance] = useState<number | undefined>()

  useEffect(() => {
    const abort = new AbortController()
    setHops([])
    setBalance(undefined)
    setState("connecting")
    session.fetch(`/kafka/follow/${encodeURIComponent(followed.eventId)}?since=${followed.since}`, { signal: abort.signal }).then(async (response) => {
      if (!response.ok) return setState(`refused: HTTP ${response.status}`)
      await readEvents(response, (name, data) => {
        if (name === "following") setState("following")
        if (name === "failed") setState(`failed: ${(data as { reason: string }).reason}`)
        if (name === "hop") {
          const hop = data as Hop
          setHops((all) => [...all, hop].sort(inFlowOrder))
          if (hop.landed) setState("landed")
        }
      }, abort.signal)
    }).catch(() => {})
    return () => abort.abort()
  }, [followed, session])

  useEffect(() => {
    if (state !== "landed") return
    session.get<{ points: number }>(`/api/reward/user-rewards/${encodeURIComponent(followed.userId)}/?tenant=${encodeURIComponent(followed.tenant)}`)
      .then((b) => setBalance(b.points), () => {})
  }, [state, followed, session, hops.length])

  return (
    <section className="panel flow" data-state={state}>
      <header className="panel-head">
        <h2>Watch it flow</h2>
        <span className={`badge ${state}`}>{state === "landed" ? "points landed" : state}</span>
      </header>
      <p className="hint">Following <code>{followed.eventId}</code> and every event derived from it.</p>
      <ol className="hops">
        {hops.map((hop) => (
          <li key={`${hop.record.topic}/${hop.record.partition}/${hop.record.offset}`} className={hop.deadLetter ? "hop dead" : hop.landed ? "hop landed" : "hop"}>
            <div className="hop-head">
              <strong className="topic">{hop.record.topic}</strong>
              <span>partition {hop.record.partition}</span>
              <span>offset {hop.record.offset}</span>
              <time>{new Date(hop.record.timestamp).toLocaleTimeString()}</time>
            </div>
            {hop.deadLetter ? <p className="form-error">dead-lettered: {hop.deadLetter}</p> : null}
            <pre>{pretty(hop.record.value)}</pre>
          </li>
        ))}
      </ol>
      {balance !== undefined ? <p className="balance" data-balance={balance}>Balance of {followed.userId}: <strong>{balance}</strong> points</p> : null}
    </section>
  )
}
