import { useEffect, useState } from "react"
import { pretty } from "../api.ts"
import { useConsole } from "../context.ts"

interface Partition {
  readonly partition: number
  readonly low: string
  readonly high: string
}
interface Topic {
  readonly topic: string
  readonly partitions: ReadonlyArray<Partition>
  readonly records: string
  readonly groups: ReadonlyArray<{ readonly groupId: string; readonly lag: string; readonly partitions: ReadonlyArray<{ readonly partition: number; readonly committed: string; readonly lag: string }> }>
}
export interface KafkaRecord {
  readonly topic: string
  readonly partition: number
  readonly offset: string
  readonly timestamp: string
  readonly key: string | null
  readonly headers: Readonly<Record<string, string>>
  readonly value: string | null
}

export const RecordView = ({ record }: { readonly record: KafkaRecord }) => (
  <article className="record" data-offset={record.offset}>
    <div className="hop-head">
      <strong>{record.topic}</strong>
      <span>partition {record.partition}</span>
      <span>offset {record.offset}</span>
      <time>{new Date(record.timestamp).toLocaleString()}</time>
    </div>
    <div className="meta"><span className="label">key</span> <code>{record.key ?? "null"}</code></div>
    {Object.keys(record.headers).length > 0 ? (
      <div className="meta"><span className="label">headers</span> {Object.entries(record.headers).map(([k, v]) => <code key={k}>{k}: {v}</code>)}</div>
    ) : null}
    <pre>{pretty(record.value)}</pre>
  </article>
)

const TopicDetail = ({ topic }: { readonly topic: Topic }) => {
  const { session } = useConsole()
  const [partition, setPartition] = useState("")
  const [offset, setOffset] = useState("")
  const [records, setRecords] = useState<ReadonlyArray<KafkaRecord> | undefined>()
  const [hidden, setHidden] = useState(0)
  const [error, setError] = useState<string | undefined>()
  const load = (newest: boolean) => {
    const query = new URLSearchParams({ limit: "50" })
    if (partition !== "") query.set("partition", partition)
    if (!newest && offset !== "" && partition !== "") query.set("offset", offset)
    setRecords(undefined)
    session.get<{ records: Array<KafkaRecord>; hidden: number }>(`/kafka/topics/${encodeURIComponent(topic.topic)}/messages?${query}`).then((answer) => {
      setRecords(answer.records)
      setHidden(answer.hidden)
      setError(undefined)
    }, (e) => setError(String(e.message)))
  }
  useEffect(() => load(true), [topic.topic])
  return (
    <section className="panel topic-detail">
      <header className="panel-head"><h2>{topic.topic}</h2><span className="hint">{topic.records} records</span></header>
      <table>
        <thead><tr><th>partition</th><th>low</th><th>high</th>{topic.groups.map((g) => <th key={g.groupId}>lag · {g.groupId}</th>)}</tr></thead>
        <tbody>
          {topic.partitions.map((p) => (
            <tr key={p.partition}>
              <td>{p.partition}</td><td>{p.low}</td><td>{p.high}</td>
              {topic.groups.map((g) => <td key={g.groupId}>{g.partitions.find((x) => x.partition === p.partition)?.lag ?? "–"}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <label className="field inline"><span className="label">partition</span>
          <select name="partition" value={partition} onChange={(e) => setPartition(e.target.value)}>
            <option value="">all</option>
            {topic.partitions.map((p) => <option key={p.partition} value={p.partition}>{p.partition}</option>)}
          </select>
        </label>
        <label className="field inline"><span className="label">from offset</span>
          <input name="offset" value={offset} onChange={(e) => setOffset(e.target.value)} placeholder="0" disabled={partition === ""} />
        </label>
        <button onClick={() => load(false)} disabled={partition === "" || offset === ""}>Read from offset</button>
        <button onClick={() => load(true)}>Newest first</button>
      </div>
      {error ? <p className="form-error">{error}</p> : null}
      {records === undefined ? <p className="hint">reading…</p> : records.length === 0 ? <p className="empty">no records</p> : null}
      {hidden > 0 ? <p className="hint">{hidden} records of other tenants not shown</p> : null}
      <div className="records">{records?.map((r) => <RecordView key={`${r.partition}/${r.offset}`} record={r} />)}</div>
    </section>
  )
}

/** Every topic: partitions, offsets, lag per consumer group; and its records. */
export const TopicsPage = () => {
  const { session } = useConsole()
  const [topics, setTopics] = useState<ReadonlyArray<Topic>>([])
  const [selected, setSelected] = useState<string | undefined>()
  const [error, setError] = useState<string | undefined>()
  useEffect(() => {
    session.get<{ topics: Array<Topic> }>("/kafka/topics").then((answer) => setTopics(answer.topics), (e) => setError(String(e.message)))
  }, [session])
  const topic = topics.find((t) => t.topic === selected)
  return (
    <div className="columns topics">
      <section className="panel">
        <header className="panel-head"><h2>Topics</h2></header>
        {error ? <p className="form-error">{error}</p> : null}
        <table className="selectable">
          <thead><tr><th>topic</th><th>partitions</th><th>records</th><th>max lag</th></tr></thead>
          <tbody>
            {topics.map((t) => (
              <tr key={t.topic} className={t.topic === selected ? "selected" : ""} onClick={() => setSelected(t.topic)} data-topic={t.topic}>
                <td><a href={`#topics/${t.topic}`} onClick={(e) => { e.preventDefault(); setSelected(t.topic) }}>{t.topic}</a></td>
                <td>{t.partitions.length}</td>
                <td>{t.records}</td>
                <td>{t.groups.length === 0 ? "–" : t.groups.map((g) => Number(g.lag)).reduce((a, b) => Math.max(a, b), 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {topic ? <TopicDetail key={topic.topic} topic={topic} /> : null}
    </div>
  )
}
