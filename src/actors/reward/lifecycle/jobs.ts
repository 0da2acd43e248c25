import { Clock, type Duration, Effect } from "effect"
import { Database } from "../../../db/database.ts"
import { appendOutbox } from "../../../kafka/outbox.ts"
import { EventProducer, type OutgoingMessage } from "../../../kafka/producer.ts"
import { publishCommitted } from "../../../kafka/publish-committed.ts"
import { periodicJob } from "../../../platform/periodic-job.ts"
import { lockAccounts } from "../lots/account-repo.ts"
import { advance } from "../lots/advance.ts"
import { noChanges } from "../lots/model.ts"
import { notifyMessage } from "../lots/notify-message.ts"
import { saveAccounts } from "../lots/save-repo.ts"
import { programRulesOf } from "../program/repo.ts"
import { lockDueAccounts } from "./repo.ts"

/** Accounts brought up to date per transaction. */
const accountsPerRound = 200
/** Rounds per run at most, so one run never holds the job for long; the next run goes on. */
const roundsPerRun = 50

export interface LifecycleRun {
  readonly accounts: number
  readonly entries: number
  /** What the run emitted (its notifications), in order. */
  readonly emitted: ReadonlyArray<OutgoingMessage>
}

/**
 * Brings every account with something due by `now` up to date: pending lots activate, lots past
 * their date expire (one entry each, for exactly the remainder), tiers are looked at again as the
 * window slides, each with its notification through the outbox, one transaction per round. Two
 * runners never do the same account: each locks the due accounts it takes with SKIP LOCKED and
 * reads them under the lock, where a lot already activated or expired is due no more.
 */
export const runLifecycle = (now: number) =>
  Effect.gen(function*() {
    const db = yield* Database
    const producer = yield* EventProducer
    let accounts = 0
    let entries = 0
    const emitted: Array<OutgoingMessage> = []
    for (let round = 0; round < roundsPerRun; round++) {
      const done = yield* db.transaction((tx) =>
        Effect.gen(function*() {
          const due = yield* lockDueAccounts(tx, now, accountsPerRound)
          const programs = yield* programRulesOf(tx, due.map((d) => d.tenant))
          const locked = yield* lockAccounts(tx, due.map((d) => {
            const windowMs = programs.get(d.tenant)!.tierWindowMs
            return { tenant: d.tenant, userId: d.user_id, tierSince: windowMs === null ? null : now - windowMs, lotKeys: [] }
          }))
          const changes = noChanges()
          for (const account of locked.values()) advance(changes, account, programs.get(account.tenant)!, now)
          yield* saveAccounts(tx, [...locked.values()], changes.entries)
          const messages = changes.notifications.map(notifyMessage)
          return { locked: locked.size, entries: changes.entries.length, messages, outboxId: yield* appendOutbox(tx, "reward", messages) }
        })
      )
      yield* publishCommitted(db, producer, "reward", done.outboxId, done.messages)
      accounts += done.locked
      entries += done.entries
      emitted.push(...done.messages)
      // Fewer than a round: nothing else is due, or what is left is another runner's now.
      if (done.locked < accountsPerRound) break
    }
    return { accounts, entries, emitted } satisfies LifecycleRun
  })

/** The lifecycle job among the reward service's actors, on the service's clock. */
export const startLifecycleJob = (every: Duration.Input) =>
  periodicJob("points lifecycle", every, Clock.currentTimeMillis.pipe(Effect.flatMap(runLifecycle), Effect.asVoid))
