import { Effect, Schema } from "effect"
import { claimLockFile } from "./lock-file.ts"

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

/** Holds `<dir>/<name>.lock` for the life of the scope. */
export const lockDataDir = (dir: string, name: string) =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      const outcome = claimLockFile(dir, name)
      return outcome.claimed ? Effect.succeed(outcome.release) : Effect.fail(new DataDirLocked({ path: dir, pid: outcome.heldBy }))
    }),
    (release) => Effect.sync(release)
  ).pipe(Effect.asVoid)
