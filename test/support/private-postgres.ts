import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "./ports.ts"

/**
 * A PostgreSQL cluster of the test's own, so a test may stop it (`pg_ctl stop -m immediate`) and
 * start it again without touching the server other tests share. initdb and postgres refuse to
 * run as root, so when the tests run as root (CI, containers) the cluster belongs to `nobody`.
 */
export interface PrivatePostgres {
  readonly port: number
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, trust authentication. */
  readonly url: string
  readonly dataDir: string
  /** `pg_ctl stop -m <mode>`: `immediate` is a crash (no checkpoint, every backend killed at once). */
  stop(mode?: "immediate" | "fast"): Promise<void>
  /** Starts it again on the same port and waits until it accepts connections (after crash recovery). */
  start(): Promise<void>
  /** Stops it and removes its files. */
  destroy(): Promise<void>
  /** The server's log so far, for a failing test's message. */
  log(): string
}

const binDir = process.env.TEST_POSTGRES_BIN ?? "/usr/lib/postgresql/15/bin"

const idOf = (flag: "-u" | "-g", user: string) => {
  const result = Bun.spawnSync(["id", flag, user])
  if (result.exitCode !== 0) throw new Error(`no user ${user}: ${result.stderr.toString()}`)
  return Number(result.stdout.toString().trim())
}

// As root the cluster's commands run as this user; otherwise as whoever runs the tests.
const owner = process.getuid?.() === 0 ? (process.env.TEST_POSTGRES_USER ?? "nobody") : undefined

// runuser (util-linux) where there is one; setpriv otherwise.
const asOwner = (command: ReadonlyArray<string>) => {
  if (!owner) return [...command]
  if (Bun.which("runuser")) return ["runuser", "-u", owner, "--", ...command]
  return ["setpriv", `--reuid=${idOf("-u", owner)}`, `--regid=${idOf("-g", owner)}`, "--clear-groups", "--", ...command]
}

const run = async (command: ReadonlyArray<string>, what: string) => {
  const proc = Bun.spawn(asOwner(command), { stdout: "pipe", stderr: "pipe", stdin: "ignore" })
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  if (code !== 0) throw new Error(`${what} exited ${code}: ${out}${err}`)
}

// Clusters this process started: stopped even if a test fails before its own clean-up.
const running = new Set<string>()
const stopAll = () => {
  for (const dataDir of running) Bun.spawnSync(asOwner([join(binDir, "pg_ctl"), "stop", "-D", dataDir, "-m", "immediate", "-w"]))
  running.clear()
}
process.on("exit", stopAll)
// A runner stopped by a signal runs no exit handlers unless it exits itself.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    stopAll()
    process.exit(128 + (signal === "SIGINT" ? 2 : 15))
  })
}

export const startPrivatePostgres = async (): Promise<PrivatePostgres> => {
  if (!existsSync(join(binDir, "initdb"))) throw new Error(`no PostgreSQL binaries in ${binDir} (set TEST_POSTGRES_BIN)`)
  const base = mkdtempSync(join(tmpdir(), "loyaltea-private-pg-"))
  const dataDir = join(base, "data")
  const socketDir = join(base, "socket")
  const logFile = join(base, "server.log")
  mkdirSync(socketDir)
  writeFileSync(logFile, "")
  if (owner) {
    const uid = idOf("-u", owner)
    const gid = idOf("-g", owner)
    for (const path of [base, socketDir, logFile]) chownSync(path, uid, gid)
  }
  await run([join(binDir, "initdb"), "-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], "initdb")
  const port = await freePort()
  // No fsync: an immediate stop kills the server, not the machine, so the OS keeps every write.
  // synchronous_commit stays on: off, a commit is acknowledged before its WAL leaves the server's
  // memory, and an immediate stop loses it; a test of exactly-once would then see "lost" events.
  writeFileSync(join(dataDir, "postgresql.auto.conf"), [
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = '${socketDir}'`,
    "fsync = off",
    "full_page_writes = off",
    "max_connections = 100",
    "shared_buffers = 32MB",
    ""
  ].join("\n"))
  const pgCtl = (...args: Array<string>) => [join(binDir, "pg_ctl"), "-D", dataDir, ...args]
  const start = async () => {
    await run(pgCtl("start", "-w", "-t", "120", "-l", logFile), "pg_ctl start")
    running.add(dataDir)
  }
  const stop = async (mode: "immediate" | "fast" = "immediate") => {
    await run(pgCtl("stop", "-w", "-t", "60", "-m", mode), `pg_ctl stop -m ${mode}`)
    running.delete(dataDir)
  }
  await start()
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir,
    start,
    stop,
    log: () => readFileSync(logFile, "utf8"),
    destroy: async () => {
      if (running.has(dataDir)) await stop("immediate").catch(() => {})
      rmSync(base, { recursive: true, force: true })
    }
  }
}
