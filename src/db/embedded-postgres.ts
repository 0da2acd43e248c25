import { mkdirSync, rmSync } from "node:fs"
import { resolve } from "node:path"
import { PGlite } from "@electric-sql/pglite"
import { Effect, Schema } from "effect"
import { lockDataDir } from "../platform/data-dir-lock.ts"
import { servePGlite } from "./pglite-server.ts"

export class EmbeddedPostgresFailed extends Schema.TaggedError<EmbeddedPostgresFailed>()("EmbeddedPostgresFailed", {
  dataDir: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `embedded PostgreSQL in ${this.dataDir} failed to start: ${this.reason}`
  }
}

export interface EmbeddedPostgres {
  /** Unix socket postgres.js connects to (`path` option). */
  readonly socketPath: string
  readonly dataDir: string
}

// Unix socket paths are limited to ~107 bytes; keep the socket short and private.
export const socketPathFor = (dataDir: string) => {
  const inDir = `${dataDir}/.s.PGSQL.5432`
  return inDir.length < 100 ? inDir : `/tmp/loyaltea-pg-${process.pid}.s.PGSQL.5432`
}

const fail = (dataDir: string) => (cause: unknown) =>
  new EmbeddedPostgresFailed({ dataDir, reason: cause instanceof Error ? cause.message : String(cause) })

/**
 * PGlite (PostgreSQL in WASM) with its data in `<dataDir>/pg`, served on a Unix socket so
 * postgres.js talks to it exactly as to a real server, this process's connection and those of
 * the worker processes it supervises (see pglite-server.ts). One process per directory: a lock
 * file refuses a second one.
 */
export const startEmbeddedPostgres = (baseDir: string) =>
  Effect.gen(function*() {
    const dataDir = resolve(baseDir, "pg")
    mkdirSync(dataDir, { recursive: true })
    yield* lockDataDir(resolve(baseDir), "pg")
    const db = yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => PGlite.create(dataDir), catch: fail(dataDir) }),
      (db) => Effect.promise(() => db.close()).pipe(Effect.ignore)
    )
    const socketPath = socketPathFor(resolve(baseDir))
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          // We hold the directory lock, so a socket file here was left by a process that died.
          rmSync(socketPath, { force: true })
          return await servePGlite(db, socketPath)
        },
        catch: fail(dataDir)
      }),
      (server) => Effect.promise(() => server.stop()).pipe(Effect.ignore)
    )
    return { socketPath, dataDir } satisfies EmbeddedPostgres
  })
