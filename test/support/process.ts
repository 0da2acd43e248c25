import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ServiceName } from "../../src/config/service-name.ts"
import { freePort } from "./ports.ts"

const root = join(import.meta.dir, "..", "..")

export interface LoyalteaProcess {
  readonly proc: ReturnType<typeof Bun.spawn>
  readonly ports: Record<ServiceName | "broker", number>
  readonly dataDir: string
  output(): string
  /** Resolves with the exit code. */
  readonly exited: Promise<number>
  stop(signal?: NodeJS.Signals): Promise<number>
}

/** Free ports for the four services and the embedded broker. */
export const freePorts = async () => ({
  campaign: await freePort(),
  reward: await freePort(),
  fulfillment: await freePort(),
  user: await freePort(),
  console: await freePort(),
  broker: await freePort()
})

/** The platform admin every test process is started with (the first-start bootstrap creates it). */
export const testAdmin = { username: "admin", password: "test-admin-password-42" } as const

// Processes a test started and has not stopped: a failing test must not leave them running.
const live = new Set<ReturnType<typeof Bun.spawn>>()
process.on("exit", () => {
  for (const proc of live) proc.kill("SIGKILL")
})

/** Stops every process this test file started and left running (called after each file). */
export const stopLeftoverProcesses = async () => {
  const leftovers = [...live]
  for (const proc of leftovers) proc.kill("SIGTERM")
  await Promise.all(leftovers.map((proc) => Promise.race([proc.exited, Bun.sleep(5000).then(() => proc.kill("SIGKILL"))])))
}

/** The environment that puts a process's services and embedded broker on `ports`. */
export const portsEnv = (ports: Awaited<ReturnType<typeof freePorts>>) => ({
  HTTP_HOST: "127.0.0.1",
  CAMPAIGN_PORT: String(ports.campaign),
  REWARD_PORT: String(ports.reward),
  FULFILLMENT_PORT: String(ports.fulfillment),
  USER_PORT: String(ports.user),
  CONSOLE_PORT: String(ports.console),
  LOYALTEA_BROKER_PORT: String(ports.broker)
})

/** Starts `bun src/main.ts` as a real process with its own ports and data directory. */
export const spawnLoyaltea = async (env: Record<string, string> = {}, options: { dataDir?: string } = {}): Promise<LoyalteaProcess> => {
  const ports = await freePorts()
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "loyaltea-proc-"))
  let output = ""
  const proc = Bun.spawn([process.execPath, "src/main.ts"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      LOYALTEA_DATA_DIR: dataDir,
      ...portsEnv(ports),
      LOG_LEVEL: "info",
      // One process unless a test asks for workers: the tests kill, stop and read the process they started.
      LOYALTEA_WORKERS: "1",
      LOYALTEA_ADMIN_USERNAME: testAdmin.username,
      LOYALTEA_ADMIN_PASSWORD: testAdmin.password,
      ...env
    },
    stdout: "pipe",
    stderr: "pipe"
  })
  live.add(proc)
  proc.exited.then(() => live.delete(proc))
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) output += decoder.decode(chunk, { stream: true })
  }
  const drained = Promise.all([collect(proc.stdout as ReadableStream<Uint8Array>), collect(proc.stderr as ReadableStream<Uint8Array>)])
  const exited = proc.exited.then(async (code) => {
    await drained
    return code
  })
  return {
    proc,
    ports,
    dataDir,
    output: () => output,
    exited,
    stop: async (signal = "SIGTERM") => {
      proc.kill(signal)
      return exited
    }
  }
}

/** Polls `GET /health` until it answers 200, the process exits, or the deadline passes. */
export const waitHealthy = async (lt: LoyalteaProcess, service: ServiceName, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs
  let exited = false
  lt.exited.then(() => (exited = true))
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(`http://127.0.0.1:${lt.ports[service]}/health`)
      if (response.status === 200) return
    } catch {}
    await Bun.sleep(100)
  }
  throw new Error(`${service} did not become healthy; output:\n${lt.output()}`)
}

/** Waits until the process prints `pattern` (e.g. the start-up banner), or fails with its output. */
export const waitForOutput = async (lt: LoyalteaProcess, pattern: RegExp | string, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs
  const matches = () => (typeof pattern === "string" ? lt.output().includes(pattern) : pattern.test(lt.output()))
  let exited = false
  lt.exited.then(() => (exited = true))
  while (Date.now() < deadline && !exited && !matches()) await Bun.sleep(50)
  if (!matches()) throw new Error(`no ${pattern} in the output:\n${lt.output()}`)
}

/** The process is fully up: every service started and the banner printed. */
export const waitStarted = (lt: LoyalteaProcess, timeoutMs = 60_000) => waitForOutput(lt, /Loyaltea is up|"service started"/, timeoutMs)

/** The pids of a process's children (its worker processes), from /proc; none once it is gone. */
export const childPids = (pid: number): Array<number> => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}
