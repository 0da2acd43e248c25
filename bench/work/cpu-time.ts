import { readFileSync } from "node:fs"

const ticksPerSecond = 100

/** CPU seconds (user and system) a process has used so far, from /proc (0 once it is gone). */
export const processCpuSeconds = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
  } catch {
    return 0
  }
}

/** CPU seconds the whole machine has spent busy and in all (every core), from /proc/stat. */
export const machineCpuSeconds = () => {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/)
  const values = ticks.map(Number)
  const idle = values[3]! + values[4]!
  const total = values.reduce((a, b) => a + b, 0)
  return { busy: (total - idle) / ticksPerSecond, total: total / ticksPerSecond }
}
