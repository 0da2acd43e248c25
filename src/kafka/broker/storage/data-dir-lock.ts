import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

const held = new Set<string>();

/** A killed process may linger as a zombie until reaped; on Linux that counts as gone. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/**
 * Claims a data directory for this process with a `broker.lock` file holding the pid. A lock left by a
 * process that no longer runs (kill -9) is taken over; one held by a live process refuses the start.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, "broker.lock");
  if (held.has(path)) throw new Error(`data directory ${dir} is already in use by a broker in this process`);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(path);
      return () => {
        held.delete(path);
        try {
          unlinkSync(path);
        } catch {}
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let pid = Number.NaN;
    try {
      pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    } catch {}
    if (Number.isFinite(pid) && pid !== process.pid && alive(pid)) {
      throw new Error(`data directory ${dir} is in use by another broker (pid ${pid}); stop it or use another directory`);
    }
    try {
      unlinkSync(path); // stale: its process is gone
    } catch {}
  }
  throw new Error(`could not lock data directory ${dir}`);
}
