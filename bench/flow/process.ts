import { join } from "node:path"

const root = join(import.meta.dir, "..", "..")

export interface BenchProcess {
  readonly proc: ReturnType<typeof Bun.spawn>
  /** Resident memory of the process now, in MiB. */
  rss(): number
  stop(): Promise<void>
}

/** Resident memory of a process now, in MiB (0 once it is gone). */
export const rssOf = (pid: number) => {
  try {
    const status = require("node:fs").readFileSync(`/proc/${pid}/status`, "utf8") as string
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return kb / 1024
  } catch {
    return 0
  }
}

/** The all-in-one process (four services and the embedded broker) as users start it. */
export const startLoyaltea = async (env: Record<string, string>): Promise<BenchProcess> => {
  const proc = Bun.spawn([process.execPath, ...(process.env.LOYALTEA_BENCH_BUN_FLAGS?.split(" ").filter(Boolean) ?? []), "src/main.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "warn", LOYALTEA_WORKERS: "1", ...env },
    stdout: "pipe",
    stderr: "inherit"
  })
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader()
  let seen = ""
  while (!seen.includes("Loyaltea is up")) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`loyaltea exited: ${seen}`)
    seen += new TextDecoder().decode(value)
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  void (async () => {
    for (;;) if ((await reader.read()).done) return
  })()
  return {
    proc,
    rss: () => rssOf(proc.pid),
    stop: async () => {
      proc.kill("SIGTERM")
      await proc.exited
    }
  }
}
