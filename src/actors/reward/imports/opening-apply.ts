import { Effect } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import * as D from "../../../domain/decimal.ts"
import type { ImportRefusal } from "../../../imports/model.ts"
import type { Applied, Commit, Numbered } from "../../../imports/runner.ts"
import { appendOutbox } from "../../../kafka/outbox.ts"
import { lockAccounts } from "../lots/account-repo.ts"
import { advance } from "../lots/advance.ts"
import { type Account, accountKey, type Actor, type Entry, noChanges, openingLotKey } from "../lots/model.ts"
import { openBalance } from "../lots/movements.ts"
import { notifyMessage } from "../lots/notify-message.ts"
import { saveAccounts } from "../lots/save-repo.ts"
import { programRulesOf } from "../program/repo.ts"
import type { OpeningRow } from "./opening-row.ts"

/** The opening balances already there for these users (points as exact text). */
const openingsOf = (tx: Sql, tenant: string, userIds: ReadonlyArray<string>) =>
  exec(() => tx<Array<{ user_id: string; points: string }>>`
    select user_id, points::text as points from reward.lots
    where tenant = ${tenant} and lot_key = any(${userIds.map(openingLotKey)}::text[])`).pipe(
    Effect.map((rows) => new Map(rows.map((row) => [row.user_id, D.fromText(row.points)])))
  )

const conflict = (line: number, had: D.Decimal): ImportRefusal => ({
  line,
  field: "points",
  reason: `the user already has an opening balance of ${D.toText(had)}; an opening balance is applied once`
})

/**
 * One batch of opening balances in one transaction: the accounts locked (in key order, as every
 * change of balances does), each user's opening applied once as a lot `opening:<userId>` through
 * the same movements as a credit, brought to `now` after it (an old opening may already be
 * spendable, or expired), saved with the ledger entries, the outbox row and the job's counts.
 * The same balance again is a duplicate; a different one is refused.
 */
export const applyOpenings = (
  tx: Sql,
  target: { readonly tenant: string; readonly startedAt: number; readonly now: number; readonly actor: Actor | null },
  rows: ReadonlyArray<Numbered<OpeningRow>>,
  commit: Commit
) =>
  Effect.gen(function*() {
    const { tenant, now } = target
    const rules = (yield* programRulesOf(tx, [tenant])).get(tenant)!
    const timeOf = (row: OpeningRow) => (row.occurredAt === undefined ? target.startedAt : Date.parse(row.occurredAt))
    const accounts = yield* lockAccounts(tx, rows.map(({ row }) => ({
      tenant,
      userId: row.userId,
      tierSince: rules.tierWindowMs === null ? null : Math.min(timeOf(row), now) - rules.tierWindowMs,
      lotKeys: []
    })))
    // Read once the accounts are locked: an import of the same users running beside this one has committed or waits.
    const existing = yield* openingsOf(tx, tenant, [...new Set(rows.map(({ row }) => row.userId))])
    const refusals: Array<ImportRefusal> = []
    const entries: Array<Entry> = []
    const changed = new Map<string, Account>()
    const notifications = noChanges().notifications
    let applied = 0
    let duplicates = 0
    for (const { line, row } of rows) {
      const points = D.fromText(row.points)
      const had = existing.get(row.userId)
      if (had !== undefined) {
        if (D.compare(had, points) === 0) duplicates++
        else refusals.push(conflict(line, had))
        continue
      }
      existing.set(row.userId, points)
      const key = accountKey(tenant, row.userId)
      const account = accounts.get(key)!
      const changes = noChanges()
      advance(changes, account, rules, now)
      openBalance(changes, account, rules, points, {
        lotKey: openingLotKey(row.userId),
        occurredAt: timeOf(row),
        reason: row.reason ?? "opening balance",
        actor: target.actor
      })
      advance(changes, account, rules, now)
      entries.push(...changes.entries)
      notifications.push(...changes.notifications)
      changed.set(key, account)
      applied++
    }
    yield* saveAccounts(tx, [...changed.values()], entries)
    const messages = notifications.map(notifyMessage)
    const outboxId = yield* appendOutbox(tx, "reward", messages)
    const outcome: Applied = { applied, duplicates, refusals }
    yield* commit(tx, outcome)
    return { outcome, outboxId, messages }
  })
