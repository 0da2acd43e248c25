import { useCallback, useEffect, useState } from "react"
import { pretty } from "../api.ts"
import { useConsole } from "../context.ts"
import { type KafkaRecord, RecordView } from "./topics.tsx"

interface Entry {
  readonly record: KafkaRecord
  readonly deadLetter: { readonly error: string; readonly topic: string; readonly partition: number; readonly offset: string; readonly key: string | null; readonly value: string | null; readonly valueEncoding: string } | null
}

const tenantOf = (entry: Entry): string | undefined => {
  try {
    const original = JSON.parse(entry.deadLetter?.value ?? "null") as { tenant?: unknown } | null
    if (typeof original?.tenant === "string") return original.tenant
  } catch {
    // Not JSON: the key may still name it.
  }
  const key = entry.deadLetter?.key ?? entry.record.key
  return key?.includes(":") ? key.slice(0, key.indexOf(":")) : undefined
}

/** The `*.dlq` topics: why, what and from where; "send again" republishes the original. */
export const DeadLettersPage = () => {
  const { canWrite, session } = useConsole()
  const [entries, setEntries] = useState<ReadonlyArray<Entry> | undefined>()
  const [notes, setNotes] = useState<Record<string, string>>({})
  const [error, setError] = useState<string | undefined>()
  const load = useCallback(() => {
    session.get<{ deadLetters: Array<Entry> }>("/kafka/dead-letters?limit=50").then((a) => setEntries(a.deadLetters), (e) => setError(String(e.message)))
  }, [session])
  useEffect(load, [load])
  const resend = async (entry: Entry) => {
    const id = `${entry.record.topic}/${entry.record.partition}/${entry.record.offset}`
    const tenant = tenantOf(entry)
    if (!tenant) return setNotes((n) => ({ ...n, [id]: "names no tenant: it cannot be sent again" }))
    await session.post<{ topic: string; partition: number; offset: string }>("/kafka/dead-letters/resend", { tenant, topic: entry.record.topic, partition: entry.record.partition, offset: entry.record.offset })
      .then((at) => setNotes((n) => ({ ...n, [id]: `sent again to ${at.topic}, partition ${at.partition}, offset ${at.offset}` })),
        (e) => setNotes((n) => ({ ...n, [id]: `refused: ${String(e.message)}` })))
  }
  return (
    <section className="panel dead-letters">
      <header className="panel-head"><h2>Dead letters</h2><button onClick={load}>Refresh</button></header>
      {error ? <p className="form-error">{error}</p> : null}
      {entries?.length === 0 ? <p className="empty">no dead letters</p> : null}
      {entries?.map((entry) => {
        const id = `${entry.record.topic}/${entry.record.partition}/${entry.record.offset}`
        const dl = entry.deadLetter
        return (
          <article key={id} className="dead-letter" data-id={id}>
            <div className="hop-head">
              <strong>{entry.record.topic}</strong>
              <span>partition {entry.record.partition}</span>
              <span>offset {entry.record.offset}</span>
              <time>{new Date(entry.record.timestamp).toLocaleString()}</time>
            </div>
            {dl ? (
              <>
                <p className="reason"><span className="label">reason</span> {dl.error}</p>
                <p className="meta"><span className="label">from</span> {dl.topic}, partition {dl.partition}, offset {dl.offset}{dl.key ? <>, key <code>{dl.key}</code></> : null}</p>
                <pre>{dl.valueEncoding === "base64" ? `(base64) ${dl.value ?? ""}` : pretty(dl.value)}</pre>
                {canWrite ? <button className="primary" onClick={() => resend(entry)}>Send again</button> : null}
                {notes[id] ? <p className="note" role="status">{notes[id]}</p> : null}
              </>
            ) : <RecordView record={entry.record} />}
          </article>
        )
      })}
    </section>
  )
}
