import { Effect, Layer, Option, Redacted, Schema } from "effect"
import { Database, exec } from "../../db/database.ts"
import { InvalidInput } from "../../domain/errors.ts"
import { AuthSettings } from "./auth-settings.ts"
import { Password, passwordMaxLength, passwordMinLength, Username } from "./operator-model.ts"
import { hasAdmin } from "./operator-repo.ts"
import { registerOperator } from "./operator-service.ts"
import { generatePassword } from "./passwords.ts"

// Any fixed key works; it only has to differ from the other advisory locks and be the same everywhere.
const bootstrapLock = 0x4c54414d

const isUsername = Schema.is(Username)
const isPassword = Schema.is(Password)

/**
 * Checks a platform admin's credentials before they are used. The reasons never quote the
 * password: they end up in start-up output and in the tool's error line.
 */
export const validateAdminCredentials = (username: string, password: string, fields: { username: string; password: string }): Effect.Effect<void, InvalidInput> =>
  !isUsername(username)
    ? Effect.fail(new InvalidInput({ field: fields.username, reason: "must be 1-150 characters without spaces or control characters" }))
    : !isPassword(password)
    ? Effect.fail(new InvalidInput({ field: fields.password, reason: `must be ${passwordMinLength} to ${passwordMaxLength} characters` }))
    : Effect.void

/** Creates a platform admin (the `create-admin` tool; the first-start bootstrap). */
export const createPlatformAdmin = Effect.fnUntraced(function*(username: string, password: string) {
  yield* validateAdminCredentials(username, password, { username: "username", password: "password" })
  const db = yield* Database
  return yield* registerOperator(db.sql, { username, password, role: "admin", tenant: null })
})

/**
 * On a database without any admin, creates one from `LOYALTEA_ADMIN_USERNAME`/`_PASSWORD`, or with
 * a generated password printed once to stdout (never through the logger, whose lines get shipped
 * and kept). Processes starting together create one admin: the check is repeated under a lock.
 */
export const ensurePlatformAdmin = Effect.gen(function*() {
  const db = yield* Database
  const settings = yield* AuthSettings
  if (yield* hasAdmin(db.sql)) return
  const username = Option.getOrElse(settings.adminUsername, () => "admin")
  const given = Option.map(settings.adminPassword, Redacted.value)
  const password = Option.getOrElse(given, generatePassword)
  yield* validateAdminCredentials(username, password, { username: "LOYALTEA_ADMIN_USERNAME", password: "LOYALTEA_ADMIN_PASSWORD" })
  const created = yield* db.transaction((tx) =>
    Effect.gen(function*() {
      yield* exec(() => tx`select pg_advisory_xact_lock(${bootstrapLock})`)
      if (yield* hasAdmin(tx)) return false
      yield* registerOperator(tx, { username, password, role: "admin", tenant: null })
      return true
    })
  )
  if (!created) return
  yield* Effect.logInfo("created the platform admin").pipe(Effect.annotateLogs({ username }))
  if (Option.isNone(given)) {
    yield* Effect.sync(() =>
      console.log(`loyaltea: created the platform admin "${username}" with the generated password: ${password}  (shown only this once; keep it now)`)
    )
  }
})

/** Runs the bootstrap when the user service starts. */
export const AdminBootstrap = Layer.effectDiscard(ensurePlatformAdmin)
