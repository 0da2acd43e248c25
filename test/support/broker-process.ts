import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "./ports.ts"

const root = join(import.meta.dir, "..", "..")

export interface BrokerProcess {
  readonly address: string
  readonly dataDir: string
  readonly proc: ReturnType<typeof Bun.spawn>
  /** What the broker printed so far (its info lines too when started `verbose`). */
  output(): string
  stop(): Promise<void>
}

/** `bun run broker` as its own process with a data directory, as split deployments share it. */
export const startBrokerProcess = async (options: { dataDir?: string; port?: number; partitions?: number; args?: ReadonlyArray<string>; env?: Record<string, string>; verbose?: boolean } = {}): Promise<BrokerProcess> => {
  const port = options.port ?? (await freePort())
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "loyaltea-broker-"))
  const proc = Bun.spawn([process.execPath, "src/kafka/broker/cli.ts", "--port", String(port), "--data-dir", dataDir, "--partitions", String(options.partitions ?? 3), ...(options.verbose ? [] : ["--quiet"]), ...(options.args ?? [])], {
    cwd: root,
    env: { ...process.env, ...options.env },
    stdout: "pipe",
    stderr: "inherit"
  })
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader()
  let seen = ""
  const deadline = Date.now() + 30_000
  while (!seen.includes("broker listening on")) {
    if (Date.now() > deadline) throw new Error(`the broker did not start: ${seen}`)
    const { value, done } = await reader.read()
    if (done) throw new Error(`the broker exited: ${seen}`)
    seen += new TextDecoder().decode(value)
  }
  // Keep reading, so a verbose broker never blocks on a full pipe.
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      seen += new TextDecoder().decode(value)
    }
  })()
  return {
    address: `127.0.0.1:${port}`,
    dataDir,
    proc,
    output: () => seen,
    stop: async () => {
      proc.kill("SIGTERM")
      await proc.exited
    }
  }
}
