/**
 * The process's own account of its batches, from its `/metrics`: per consumer group and topic,
 * how many batches, their mean size, and the mean time of each step (apply: the transaction;
 * publish: what it emitted, acks=all; commit: the offsets). With the wall time of a run this says
 * whether the stages are waiting on the database, on the broker, or on each other.
 */
export interface StepLine {
  readonly group: string
  readonly topic: string
  readonly step: string
  readonly count: number
  readonly seconds: number
  /** Events the group took from the topic (every outcome). */
  readonly events: number
}

const sample = /^loyaltea_batch_step_duration_seconds_(sum|count)\{([^}]*)\} (\S+)$/
const eventsSample = /^loyaltea_events_total\{([^}]*)\} (\S+)$/

const labelsOf = (text: string) => Object.fromEntries([...text.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]))

export const parseBatchSteps = (metrics: string): ReadonlyArray<StepLine> => {
  const lines = new Map<string, { group: string; topic: string; step: string; count: number; seconds: number; events: number }>()
  const events = new Map<string, number>()
  for (const line of metrics.split("\n")) {
    const counted = eventsSample.exec(line)
    if (counted) {
      const labels = labelsOf(counted[1]!)
      const id = `${labels.group}|${labels.topic}`
      events.set(id, (events.get(id) ?? 0) + Number(counted[2]))
    }
    const match = sample.exec(line)
    if (!match) continue
    const labels = labelsOf(match[2]!)
    const id = `${labels.group}|${labels.topic}|${labels.step}`
    const entry = lines.get(id) ?? { group: labels.group ?? "", topic: labels.topic ?? "", step: labels.step ?? "", count: 0, seconds: 0, events: 0 }
    if (match[1] === "sum") entry.seconds = Number(match[3])
    else entry.count = Number(match[3])
    lines.set(id, entry)
  }
  for (const entry of lines.values()) entry.events = events.get(`${entry.group}|${entry.topic}`) ?? 0
  return [...lines.values()].sort((a, b) => a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic) || a.step.localeCompare(b.step))
}

/** Printable lines: steps per group and topic, their count, mean events per batch and mean time in ms. */
export const describeBatchSteps = (steps: ReadonlyArray<StepLine>) =>
  steps.filter((s) => s.count > 0).map((s) =>
    `  ${`${s.group} ${s.topic}`.padEnd(40)} ${s.step.padEnd(8)} ${String(s.count).padStart(6)} batches of ${(s.events / s.count).toFixed(1).padStart(6)} × ${((s.seconds * 1000) / s.count).toFixed(2).padStart(7)} ms = ${s.seconds.toFixed(2).padStart(6)} s`
  )
