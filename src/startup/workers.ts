import { join } from "node:path"
import { Duration, Effect, Option, Schedule } from "effect"
import type { AppConfigShape } from "../config/app-config.ts"
import { type ServiceName, serviceNames } from "../config/service-name.ts"

/** The services that consume events: what worker processes take over from the default start. */
const eventServices: ReadonlyArray<ServiceName> = ["fulfillment", "campaign", "reward"]

export interface WorkerPlan {
  /** What this process keeps: the user service, the console, the embedded broker and database. */
  readonly own: ReadonlyArray<ServiceName>
  /** The services of each worker process. */
  readonly workers: ReadonlyArray<ReadonlyArray<ServiceName>>
}

/**
 * How the default start spreads over `LOYALTEA_WORKERS` processes: none when it is 1, when the
 * process runs a list of services it was given, or when it is itself a worker. Otherwise this
 * process keeps what is light (user, console) with the embedded broker and database, and the event
 * services go, as evenly as they divide, to up to `workers - 1` worker processes.
 */
export const workerPlan = (config: AppConfigShape): WorkerPlan | undefined => {
  if (config.workers <= 1 || Option.isSome(config.supervisorPid)) return undefined
  if (!serviceNames.every((service) => config.services.includes(service))) return undefined
  const count = Math.min(config.workers - 1, eventServices.length)
  const workers = Array.from({ length: count }, () => [] as Array<ServiceName>)
  eventServices.forEach((service, index) => workers[index % count]!.push(service))
  return { own: config.services.filter((service) => !eventServices.includes(service)), workers }
}

export interface WorkerShared {
  /** Where the workers reach Kafka: the embedded broker's address, or the configured brokers. */
  readonly kafkaBrokers: ReadonlyArray<string>
  /** The embedded database's socket, unless the database is external. */
  readonly databaseSocket: string | undefined
}

const mainScript = join(import.meta.dir, "..", "main.ts")

// Bootstrapping the first admin is the user service's, here; no worker needs the password.
const inherited = () => {
  const { LOYALTEA_ADMIN_PASSWORD: _password, LOYALTEA_ADMIN_USERNAME: _username, ...rest } = process.env
  return rest as Record<string, string>
}

// Where this process's own services answer, from this machine.
const localBase = (config: AppConfigShape, service: ServiceName) =>
  `http://${config.httpHost === "0.0.0.0" || config.httpHost === "::" ? "127.0.0.1" : config.httpHost}:${config.ports[service]}`

// A worker is configured as any process is, from its environment: this one's, with what makes it
// a worker of this process on top.
const workerEnv = (config: AppConfigShape, services: ReadonlyArray<ServiceName>, shared: WorkerShared): Record<string, string> => ({
  ...inherited(),
  // The user service, which checks the workers' credentials, runs in this process.
  LOYALTEA_USER_SERVICE_URL: `${localBase(config, "user")}/`,
  LOYALTEA_SERVICES: services.join(","),
  LOYALTEA_WORKERS: "1",
  LOYALTEA_SUPERVISOR_PID: String(process.pid),
  KAFKA_BROKERS: shared.kafkaBrokers.join(","),
  ...(shared.databaseSocket === undefined ? {} : { LOYALTEA_EMBEDDED_DATABASE_SOCKET: shared.databaseSocket })
})

const answers = (url: string) =>
  Effect.promise(() => fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false))

/** Resolves once every service of the worker answers its `/health`. */
const untilUp = (config: AppConfigShape, services: ReadonlyArray<ServiceName>) =>
  Effect.forEach(services, (service) =>
    answers(`${localBase(config, service)}/health`).pipe(
      Effect.flatMap((ok) => (ok ? Effect.void : Effect.fail("down" as const))),
      Effect.retry(Schedule.spaced("100 millis"))
    ), { discard: true })

const spawnWorker = (config: AppConfigShape, index: number, services: ReadonlyArray<ServiceName>, shared: WorkerShared) =>
  Effect.acquireRelease(
    Effect.sync(() =>
      Bun.spawn([process.execPath, mainScript], { env: workerEnv(config, services, shared), stdin: "ignore", stdout: "inherit", stderr: "inherit" })
    ),
    // SIGTERM: the worker shuts down as a process does (batches finish, the group is left), within
    // the shutdown bound; past it, SIGKILL, which loses nothing either.
    (proc) =>
      Effect.promise(async () => {
        if (proc.exitCode !== null) return
        proc.kill("SIGTERM")
        const bound = Math.max(1000, config.shutdownTimeoutMs - 1000)
        const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(bound).then(() => false)])
        if (!exited) proc.kill("SIGKILL")
        await proc.exited
      })
  ).pipe(Effect.tap(() => Effect.logInfo(`worker ${index} started: ${services.join(", ")}`)))

/**
 * One worker process, started again (after a second) whenever it exits: its consumer groups'
 * partitions wait for it, nothing it had not committed is lost. Ends only when interrupted, which
 * stops the process.
 */
const supervise = (config: AppConfigShape, index: number, services: ReadonlyArray<ServiceName>, shared: WorkerShared) =>
  Effect.scoped(
    Effect.gen(function*() {
      const proc = yield* spawnWorker(config, index, services, shared)
      return yield* Effect.promise(() => proc.exited)
    })
  ).pipe(
    Effect.tap((code) => Effect.logError(`worker ${index} (${services.join(", ")}) exited with code ${code}; starting it again`)),
    Effect.andThen(Effect.sleep(Duration.seconds(1))),
    Effect.forever,
    Effect.annotateLogs({ component: "workers" })
  )

/**
 * Starts the plan's worker processes under supervision in the caller's scope and waits until each
 * answers on its services' ports (or `startupMs` passes, which fails the start).
 */
export const startWorkers = (config: AppConfigShape, plan: WorkerPlan, shared: WorkerShared, startupMs = 120_000) =>
  Effect.gen(function*() {
    yield* Effect.forEach(plan.workers, (services, index) => Effect.forkScoped(supervise(config, index + 1, services, shared)), { discard: true })
    yield* Effect.forEach(plan.workers, (services) => untilUp(config, services), { concurrency: "unbounded", discard: true }).pipe(
      Effect.timeoutOrElse({
        duration: Duration.millis(startupMs),
        orElse: () => Effect.die(new Error(`the worker processes did not come up within ${startupMs} ms`))
      })
    )
  })

/**
 * In a worker: exit when the supervising process is gone (killed with SIGKILL, say), so no worker
 * outlives it and holds its ports.
 */
export const exitWithSupervisor = (config: AppConfigShape) =>
  Option.match(config.supervisorPid, {
    onNone: () => undefined,
    onSome: (pid) => {
      setInterval(() => {
        if (process.ppid !== pid) {
          console.error("loyaltea worker: the supervising process is gone; exiting")
          process.exit(1)
        }
      }, 500).unref()
    }
  })
