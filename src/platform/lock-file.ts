import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs"
import { join } from "node:path"

const held = new Set<string>()

/** A killed process may linger as a zombie until reaped; on Linux that counts as gone. */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z"
  } catch {
    return true
  }
}

export type LockOutcome =
  | { readonly claimed: true; readonly release: () => void }
  | { readonly claimed: false; readonly heldBy: number }

/**
 * Claims `<dir>/<name>.lock` for this process (the file holds the pid). The O_EXCL create is atomic,
 * so of two processes racing one wins; a lock left by a process that died (kill -9) is taken over,
 * one held by a live process (or already by this one) is not.
 */
export const claimLockFile = (dir: string, name: string): LockOutcome => {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${name}.lock`)
  if (held.has(path)) return { claimed: false, heldBy: process.pid }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx")
      writeSync(fd, String(process.pid))
      closeSync(fd)
      held.add(path)
      return {
        claimed: true,
        release: () => {
          held.delete(path)
          try {
            unlinkSync(path)
          } catch {}
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
    }
    let pid = Number.NaN
    try {
      pid = Number.parseInt(readFileSync(path, "utf8"), 10)
    } catch {}
    if (Number.isFinite(pid) && alive(pid)) return { claimed: false, heldBy: pid }
    try {
      unlinkSync(path) // stale: its process is gone
    } catch {}
  }
  return { claimed: false, heldBy: Number.NaN }
}
