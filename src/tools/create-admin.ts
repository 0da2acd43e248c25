import { parseArgs } from "node:util"
import { Cause, Effect, Exit, Layer, References } from "effect"
import { createPlatformAdmin } from "../actors/user/admin-bootstrap.ts"
import { AppConfig } from "../config/app-config.ts"
import { MigrationsLive } from "../db/migrations-layer.ts"
import { DatabaseLive } from "../db/pool.ts"
import { describeStartupFailure } from "../startup/describe-error.ts"

const usage = `usage: bun run create-admin --username <name> [--password <password>]
  Creates another platform admin in the database the configuration names (DATABASE_URL, or the
  embedded one in LOYALTEA_DATA_DIR). Without --password it asks for one, which keeps it out of the
  shell history and the process list.`

/** Reads a line from the terminal without echoing it. */
const readHidden = (question: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const stdin = process.stdin
    process.stdout.write(question)
    let value = ""
    const finish = () => {
      stdin.off("data", onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stdout.write("\n")
    }
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return finish(), resolve(value)
        if (ch === "\u0003" || ch === "\u0004") return finish(), reject(new Error("cancelled"))
        value = ch === "\u007f" || ch === "\b" ? value.slice(0, -1) : value + ch
      }
    }
    stdin.setRawMode(true)
    stdin.setEncoding("utf8")
    stdin.resume()
    stdin.on("data", onData)
  })

/** On a terminal: asked twice, unechoed. Piped: the first line of stdin (scripts, tests). */
const promptPassword = async (): Promise<string> => {
  if (!process.stdin.isTTY) return (await Bun.stdin.text()).split(/\r?\n/)[0] ?? ""
  const password = await readHidden("Password: ")
  if ((await readHidden("Password (again): ")) !== password) throw new Error("the passwords do not match")
  return password
}

const fail = (message: string, code = 1): never => {
  console.error(`create-admin: ${message}`)
  process.exit(code)
}

const parse = () => {
  try {
    return parseArgs({ options: { username: { type: "string" }, password: { type: "string" }, help: { type: "boolean" } }, strict: true }).values
  } catch (error) {
    return fail(`${(error as Error).message}\n${usage}`, 2)
  }
}

const values = parse()
if (values.help) {
  console.log(usage)
  process.exit(0)
}
const username = values.username ?? fail(`--username is required\n${usage}`, 2)
const password = values.password ?? (await promptPassword().catch((error: Error) => fail(error.message)))

// Migrated first, so the tool also works on a database no service has started on yet.
const platform = MigrationsLive.pipe(
  Layer.provideMerge(DatabaseLive),
  Layer.provideMerge(AppConfig.layer),
  Layer.provideMerge(Layer.succeed(References.MinimumLogLevel, "Warn"))
)

const exit = await Effect.runPromiseExit(createPlatformAdmin(username, password).pipe(Effect.provide(platform)))
if (Exit.isFailure(exit)) fail(`cannot create the admin: ${describeStartupFailure(exit.cause as Cause.Cause<unknown>)}`)
console.log(`create-admin: created the platform admin "${username}"`)
process.exit(0)
