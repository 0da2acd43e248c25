import { claimLockFile } from "../../../platform/lock-file.ts";

/**
 * Claims a data directory for this broker with a `broker.lock` file holding the pid. A lock left by a
 * process that no longer runs (kill -9) is taken over; one held by a live process refuses the start.
 */
export function lockDataDir(dir: string): () => void {
  const outcome = claimLockFile(dir, "broker");
  if (outcome.claimed) return outcome.release;
  if (outcome.heldBy === process.pid) throw new Error(`data directory ${dir} is already in use by a broker in this process`);
  if (Number.isFinite(outcome.heldBy)) {
    throw new Error(`data directory ${dir} is in use by another broker (pid ${outcome.heldBy}); stop it or use another directory`);
  }
  throw new Error(`could not lock data directory ${dir}`);
}
