import { Effect } from "effect"
import type { Sql } from "../../../db/database.ts"
import { appendOutbox } from "../../../kafka/outbox.ts"
import type { OutgoingMessage } from "../../../kafka/producer.ts"
import type { ProgramRules } from "../program/model.ts"
import { programRulesOf } from "../program/repo.ts"
import { lockAccounts } from "./account-repo.ts"
import { advance } from "./advance.ts"
import { type Account, accountKey, type Changes, noChanges } from "./model.ts"
import { notifyMessage } from "./notify-message.ts"
import { saveAccounts } from "./save-repo.ts"

/**
 * One account changed by a request at `now`: locked, first brought to `now` (lots due activate
 * or expire, so nothing spends an expired point), changed, and saved with its notifications in the
 * outbox, all in the caller's transaction. `change` fails to leave everything as it was.
 */
export const changeAccount = <A, E>(
  tx: Sql,
  target: { readonly tenant: string; readonly userId: string; readonly now: number },
  change: (changes: Changes, account: Account, rules: ProgramRules) => Effect.Effect<A, E>
) =>
  Effect.gen(function*() {
    const rules = (yield* programRulesOf(tx, [target.tenant])).get(target.tenant)!
    const tierSince = rules.tierWindowMs === null ? null : target.now - rules.tierWindowMs
    const accounts = yield* lockAccounts(tx, [{ tenant: target.tenant, userId: target.userId, tierSince, lotKeys: [] }])
    const account = accounts.get(accountKey(target.tenant, target.userId))!
    const changes = noChanges()
    advance(changes, account, rules, target.now)
    const result = yield* change(changes, account, rules)
    yield* saveAccounts(tx, [account], changes.entries)
    const messages: Array<OutgoingMessage> = changes.notifications.map(notifyMessage)
    const outboxId = yield* appendOutbox(tx, "reward", messages)
    return { result, account, messages, outboxId }
  })
