import type postgres from "postgres"
import type { Unit } from "./statement-log.ts"

/**
 * Sends the recorded units again, the same texts with the same parameters (prepared, as the
 * process sends them), each transaction on a connection of its own. A unit starts only once every
 * unit that had ended before it started in the recording has ended here too, so every unit finds
 * the state it found in the recording, and at most `connections` run at once. Answers the seconds
 * it took and the statements the server refused.
 */
export const replay = async (sql: postgres.Sql<{}>, recorded: ReadonlyArray<Unit>, connections: number) => {
  const byEnd = recorded.map((_, i) => i).sort((a, b) => recorded[a]!.end - recorded[b]!.end)
  const endRank = new Array<number>(recorded.length)
  byEnd.forEach((unit, rank) => (endRank[unit] = rank))
  // needs[i]: how many units (in end order) must be done before unit i starts.
  const needs = recorded.map((unit) => {
    let lo = 0
    let hi = byEnd.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (recorded[byEnd[mid]!]!.end < unit.start) lo = mid + 1
      else hi = mid
    }
    return lo
  })
  const done = new Array<boolean>(recorded.length).fill(false)
  let donePrefix = 0
  let next = 0
  let running = 0
  let refused = 0
  const refusals = new Map<string, number>()
  const started = performance.now()

  const runUnit = async (unit: Unit) => {
    const target = unit.inTransaction ? await sql.reserve() : sql
    try {
      for (const statement of unit.statements) {
        try {
          await target.unsafe(statement.q, statement.p as Array<postgres.ParameterOrJSON<never>>, { prepare: true })
        } catch (error) {
          refused++
          const reason = `${(error as Error).message.slice(0, 120)} — ${statement.q.replace(/\s+/g, " ").slice(0, 80)}`
          refusals.set(reason, (refusals.get(reason) ?? 0) + 1)
          if (unit.inTransaction) {
            await target.unsafe("rollback")
            return
          }
        }
      }
    } finally {
      if (unit.inTransaction) (target as postgres.ReservedSql<{}>).release()
    }
  }

  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      if (next === recorded.length && running === 0) return resolve()
      while (next < recorded.length && running < connections && needs[next]! <= donePrefix) {
        const index = next++
        running++
        runUnit(recorded[index]!).then(() => {
          running--
          done[endRank[index]!] = true
          while (donePrefix < done.length && done[donePrefix]) donePrefix++
          pump()
        }, reject)
      }
    }
    pump()
  })
  return { seconds: (performance.now() - started) / 1000, refused, refusals: [...refusals].sort((a, b) => b[1] - a[1]).slice(0, 5) }
}
