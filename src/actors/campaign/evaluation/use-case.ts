import { Effect } from "effect"
import type { Sql } from "../../../db/database.ts"
import * as D from "../../../domain/decimal.ts"
import type { TenantScope } from "../../../domain/tenant-scope.ts"
import type { TenantDirectory } from "../../../tenants/directory.ts"
import { findBudgetUsage } from "../counters/budget-repo.ts"
import { findPeriodCounts } from "../counters/period-repo.ts"
import { countersTouched } from "../counters/counters.ts"
import { findProgressIn } from "../progress-repo.ts"
import { tenantRules } from "../rules-repo.ts"
import { campaignsIn, evaluate, whatIfEvents } from "./evaluate.ts"
import type { Evaluation, EvaluationInput } from "./model.ts"

/**
 * `POST /campaign/evaluate`: what the completions would do to the user now, in every campaign of
 * the tenant that contains one of them. Reads only: nothing is stored, locked or emitted.
 */
export const evaluation = (sql: Sql, tenants: TenantDirectory["Service"]) =>
  (scope: TenantScope, input: EvaluationInput) =>
    Effect.gen(function*() {
      yield* tenants.writable(scope, input.tenant)
      const fulfillmentIds = [...new Set(input.fulfillments.map((f) => f.fulfillmentId.toLowerCase()))]
      const campaigns = (yield* tenantRules(sql, input.tenant)).filter((c) => c.rules.fulfillments.some((f) => fulfillmentIds.includes(f)))
      if (campaigns.length === 0) return { campaigns: [] } satisfies Evaluation
      const whatIf = {
        tenant: input.tenant,
        userId: input.userId,
        at: Date.parse(input.occurredAt),
        fulfillments: input.fulfillments.map((f) => ({
          fulfillmentId: f.fulfillmentId,
          ...(f.basis !== undefined && { basis: D.fromNumber(f.basis) }),
          ...(f.orderIds !== undefined && { orderIds: f.orderIds })
        }))
      }
      const touched = countersTouched(whatIfEvents(whatIf), campaignsIn(campaigns))
      const stored = yield* findProgressIn(sql, input.tenant, input.userId, campaigns.map((c) => c.rules.id))
      const periods = yield* findPeriodCounts(sql, touched.periods)
      const budgets = touched.budgets.length > 0 ? yield* findBudgetUsage(sql, input.tenant, touched.budgets.map((b) => b.id)) : new Map()
      return { campaigns: evaluate(campaigns, whatIf, stored, { periods, budgets }) } satisfies Evaluation
    })
