import { Effect, Option } from "effect"
import type { ServiceName } from "../config/service-name.ts"
import { Database } from "../db/database.ts"
import { pendingMigrations } from "../db/migrations.ts"
import { ConsumerHealth, type MemberHealth } from "../kafka/consumer-health.ts"
import { KafkaProbe } from "../kafka/kafka-probe.ts"
import type { Readiness } from "./health.ts"

// Each check answers within this long; one that does not is reported as unreachable.
const checkTimeoutMs = 3000

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

const databaseCheck = Effect.gen(function*() {
  const found = yield* Effect.serviceOption(Database)
  if (Option.isNone(found)) return { status: "not-used", mode: "none", pendingMigrations: [] } satisfies Readiness["database"]
  const db = found.value
  return yield* pendingMigrations().pipe(
    Effect.provideService(Database, db),
    Effect.timeout(checkTimeoutMs),
    Effect.map((pending): Readiness["database"] =>
      pending.length === 0
        ? { status: "ok", mode: db.mode, pendingMigrations: [] }
        : { status: "migrations-pending", mode: db.mode, pendingMigrations: pending, reason: "migrations pending" }
    ),
    Effect.catch((error) => Effect.succeed<Readiness["database"]>({ status: "unreachable", mode: db.mode, pendingMigrations: [], reason: reasonOf(error) }))
  )
})

const kafkaCheck = (usesKafka: boolean) =>
  Effect.gen(function*() {
    const probe = yield* Effect.serviceOption(KafkaProbe)
    if (!usesKafka || Option.isNone(probe)) return { status: "not-used" } satisfies Readiness["kafka"]
    return yield* probe.value.check(checkTimeoutMs).pipe(
      Effect.as<Readiness["kafka"]>({ status: "ok" }),
      Effect.catch((error) => Effect.succeed<Readiness["kafka"]>({ status: "unreachable", reason: error.reason }))
    )
  })

const severity = { running: 0, starting: 1, restarting: 2, stalled: 3 } as const

const consumersOf = (service: ServiceName) =>
  Effect.map(Effect.serviceOption(ConsumerHealth), (health): Readiness["consumers"] => {
    const members: ReadonlyArray<MemberHealth> = Option.match(health, { onNone: () => [], onSome: (h) => h.of(service) })
    if (members.length === 0) return { status: "none", members: [] }
    const worst = members.reduce((a, b) => (severity[b.state] > severity[a.state] ? b : a)).state
    return { status: worst === "running" ? "ok" : worst, members: [...members] }
  })

const problemsOf = ({ consumers, database, kafka }: Pick<Readiness, "database" | "kafka" | "consumers">) => [
  ...(database.status === "ok" || database.status === "not-used" ? [] : [`database ${database.status}${database.reason && database.status !== "migrations-pending" ? `: ${database.reason}` : ""}`]),
  ...(kafka.status === "unreachable" ? [`kafka unreachable: ${kafka.reason ?? ""}`] : []),
  ...consumers.members
    .filter((member) => member.state !== "running")
    .map((member) => `consumer ${member.group} #${member.member} ${member.state}${member.reason ? `: ${member.reason}` : ""}`)
]

/**
 * Ready when the database answers with every migration applied and, for a service that uses
 * events, Kafka answers and each of its consumers is running; the checks run at once.
 */
export const checkReadiness = (service: ServiceName, options: { readonly usesKafka: boolean }) =>
  Effect.gen(function*() {
    const [database, kafka, consumers] = yield* Effect.all([databaseCheck, kafkaCheck(options.usesKafka), consumersOf(service)], { concurrency: "unbounded" })
    const problems = problemsOf({ database, kafka, consumers })
    return {
      status: problems.length === 0 ? "ready" : "not-ready",
      service,
      database,
      kafka,
      consumers,
      ...(problems.length > 0 ? { reason: problems.join("; ") } : {})
    } satisfies Readiness
  })
