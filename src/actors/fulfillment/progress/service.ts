import { Clock, Effect } from "effect"
import { Database } from "../../../db/database.ts"
import { toNumber } from "../../../domain/decimal.ts"
import { emptyState, tallyAt } from "../goals/accumulator.ts"
import { describeTally, goalFields } from "../goals/describe.ts"
import { readProgress } from "../goals/progress-repo.ts"
import { keyText } from "../goals/settle.ts"
import { emptyIndex } from "../matching.ts"
import { signatureOf } from "../rule.ts"
import { RulesIndex } from "../rules-index.ts"
import type { ProgressAnswer } from "./model.ts"

export interface ProgressQuery {
  readonly tenant: string
  readonly userId: string
  /** Only these fulfillments; absent: every cumulative fulfillment of the tenant. */
  readonly fulfillmentIds: ReadonlyArray<string> | undefined
  /** The instant to judge at (ms); absent: now. */
  readonly at: number | undefined
}

/** Why-not for cumulative fulfillments (part of the fulfillment use cases): what the campaign service asks to explain what holds a user back. */
export const makeGoalProgress = Effect.gen(function*() {
  const db = yield* Database
  const rules = yield* RulesIndex

  /**
   * How far a user is along each cumulative fulfillment at an instant: the events counted in the
   * window ending then (`within`), in its period (`period`), or all unused ones. Fulfillments
   * without a goal, and ids the tenant does not have, are not listed.
   */
  const progress = (query: ProgressQuery) =>
    Effect.gen(function*() {
      const at = query.at ?? (yield* Clock.currentTimeMillis)
      const index = (yield* rules.forTenants(db.sql, [query.tenant])).get(query.tenant) ?? emptyIndex
      const wanted = index.rules.filter((rule) => rule.goal !== undefined && (query.fulfillmentIds?.includes(rule.id) ?? true))
      const keys = wanted.map((rule) => ({ tenant: query.tenant, userId: query.userId, fulfillmentId: rule.id }))
      const stored = yield* readProgress(db.sql, keys, false)
      const fulfillments = wanted.map((rule, i) => {
        const goal = rule.goal!
        const found = stored.get(keyText(keys[i]!))
        const state = found?.signature === signatureOf(rule) ? found.state : emptyState
        const tally = tallyAt(goal, state, at)
        return {
          fulfillment_id: rule.id,
          kind: rule.kind,
          name: rule.name,
          goal: goalFields(goal),
          current: { count: tally.count, total: toNumber(tally.total) },
          description: describeTally(rule, goal, tally)
        }
      })
      return { tenant: query.tenant, user_id: query.userId, at: new Date(at).toISOString(), fulfillments } satisfies ProgressAnswer
    })

  return { progress }
})

