import { createHash } from "node:crypto"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect, Schema } from "effect"
import type { Sql } from "./database.ts"
import { Database, exec } from "./database.ts"

export interface Migration {
  readonly id: number
  readonly name: string
  readonly sql: string
  readonly checksum: string
}

export class MigrationFailed extends Schema.TaggedError<MigrationFailed>()("MigrationFailed", {
  migration: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `migration ${this.migration} failed: ${this.reason}`
  }
}

export const migrationsDir = join(import.meta.dir, "..", "..", "db", "migrations")
const fileName = /^(\d{4})_([a-z0-9_]+)\.sql$/

/** `db/migrations/NNNN_name.sql`, in order. */
export const loadMigrations = (dir: string = migrationsDir): ReadonlyArray<Migration> =>
  readdirSync(dir)
    .flatMap((file) => {
      const match = fileName.exec(file)
      if (!match) return []
      const sql = readFileSync(join(dir, file), "utf8")
      const checksum = createHash("sha256").update(sql).digest("hex")
      return [{ id: Number(match[1]), name: file, sql, checksum }]
    })
    .sort((a, b) => a.id - b.id)

// Any fixed key works; it only has to be the same in every process of every service.
const lockKey = 0x4c6f7961

const ensureTable = (tx: Sql) =>
  exec(() => tx`
    create table if not exists public.loyaltea_migrations (
      id integer primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`)

/**
 * Applies the missing migrations in one transaction under an advisory lock, so processes
 * starting together apply each migration once and the others wait, then find nothing to do.
 */
export const migrate = (migrations: ReadonlyArray<Migration> = loadMigrations()) =>
  Effect.gen(function*() {
    const db = yield* Database
    return yield* db.transaction((tx) =>
      Effect.gen(function*() {
        yield* exec(() => tx`select pg_advisory_xact_lock(${lockKey})`)
        yield* ensureTable(tx)
        const rows = yield* exec(() => tx<Array<{ id: number; checksum: string }>>`select id, checksum from public.loyaltea_migrations`)
        const applied = new Map(rows.map((row) => [row.id, row.checksum]))
        const done: Array<string> = []
        for (const migration of migrations) {
          const checksum = applied.get(migration.id)
          if (checksum !== undefined) {
            if (checksum !== migration.checksum) {
              return yield* new MigrationFailed({ migration: migration.name, reason: "it was edited after being applied; add a new migration instead" })
            }
            continue
          }
          yield* exec(() => tx.unsafe(migration.sql)).pipe(
            Effect.mapError((error) => new MigrationFailed({ migration: migration.name, reason: error.message }))
          )
          yield* exec(() => tx`insert into public.loyaltea_migrations (id, name, checksum) values (${migration.id}, ${migration.name}, ${migration.checksum})`)
          done.push(migration.name)
        }
        return done
      })
    )
  })

/** Whether every known migration is recorded as applied (readiness). */
export const pendingMigrations = (migrations: ReadonlyArray<Migration> = loadMigrations()) =>
  Effect.gen(function*() {
    const db = yield* Database
    const rows = yield* db.run((sql) => sql<Array<{ id: number }>>`select id from public.loyaltea_migrations`)
    const applied = new Set(rows.map((row) => row.id))
    return migrations.filter((migration) => !applied.has(migration.id)).map((migration) => migration.name)
  })
