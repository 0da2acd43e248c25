import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs"
import { dirname } from "node:path"
import { Effect, Schema } from "effect"

/** Another live process holds the lock on a data directory. */
export class DataDirLocked extends Schema.TaggedError<DataDirLocked>()("DataDirLocked", {
  path: Schema.String,
  pid: Schema.Number
}) {
  override get message() {
    return `${this.path} is in use by process ${this.pid}; one embedded store cannot be shared by two processes ` +
      `(stop it, use another LOYALTEA_DATA_DIR, or point the processes at a real server)`
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const readPid = (path: string): number => {
  try {
    return Number.parseInt(readFileSync(path, "utf8").trim(), 10) || 0
  } catch {
    return 0
  }
}

/** O_EXCL create is atomic, so two processes racing for the lock cannot both win. */
const tryCreate = (path: string): boolean => {
  try {
    const fd = openSync(path, "wx")
    writeSync(fd, `${process.pid}\n`)
    closeSync(fd)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false
    throw error
  }
}

const acquire = (path: string): Effect.Effect<void, DataDirLocked> =>
  Effect.suspend(() => {
    mkdirSync(dirname(path), { recursive: true })
    for (let attempt = 0; attempt < 3; attempt++) {
      if (tryCreate(path)) return Effect.void
      const pid = readPid(path)
      if (pid > 0 && isAlive(pid)) return Effect.fail(new DataDirLocked({ path: dirname(path), pid }))
      // A lock left by a process that died (kill -9): take it over.
      try {
        unlinkSync(path)
      } catch {}
    }
    return Effect.fail(new DataDirLocked({ path: dirname(path), pid: readPid(path) }))
  })

const release = (path: string) =>
  Effect.sync(() => {
    if (readPid(path) !== process.pid) return
    try {
      unlinkSync(path)
    } catch {}
  })

/** Holds `<dir>/<name>.lock` for the life of the scope. */
export const lockDataDir = (dir: string, name: string) => {
  const path = `${dir}/${name}.lock`
  return Effect.acquireRelease(acquire(path), () => release(path))
}
