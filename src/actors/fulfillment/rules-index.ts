import { Context, Effect, Layer } from "effect"
import type { Sql } from "../../db/database.ts"
import type { DatabaseError } from "../../db/errors.ts"
import { buildIndex, emptyIndex, type TenantIndex } from "./matching.ts"
import { loadRules, noVersion, rulesVersions } from "./rules-repo.ts"

interface Cached {
  readonly version: string
  readonly index: TenantIndex
}

export interface RulesIndexShape {
  /**
   * The current rules of `tenants`, as seen by the transaction `tx`: one query for their
   * versions, and one more only when some tenant's rules changed since this process last
   * loaded them (here or in any other process, since the version lives in the database).
   */
  forTenants(tx: Sql, tenants: ReadonlyArray<string>): Effect.Effect<ReadonlyMap<string, TenantIndex>, DatabaseError>
}

const newer = (candidate: string, current: Cached | undefined) => current === undefined || BigInt(candidate) > BigInt(current.version)

const make = Effect.sync((): RulesIndexShape => {
  const cache = new Map<string, Cached>()

  // Batches of several partitions run concurrently; a slower one must not put back older rules.
  const remember = (tenant: string, version: string, index: TenantIndex) => {
    if (newer(version, cache.get(tenant))) cache.set(tenant, { version, index })
  }

  const forTenants = (tx: Sql, tenants: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const unique = [...new Set(tenants)]
      const versions = yield* rulesVersions(tx, unique)
      const result = new Map<string, TenantIndex>()
      const stale: Array<string> = []
      for (const tenant of unique) {
        const version = versions.get(tenant) ?? noVersion
        const cached = cache.get(tenant)
        if (cached?.version === version) result.set(tenant, cached.index)
        else if (version === noVersion) result.set(tenant, emptyIndex)
        else stale.push(tenant)
      }
      if (stale.length === 0) return result
      const loaded = yield* loadRules(tx, stale)
      for (const tenant of stale) {
        const rules = loaded.get(tenant)
        const index = rules ? buildIndex(rules.rules) : emptyIndex
        result.set(tenant, index)
        if (rules) remember(tenant, rules.version, index)
      }
      return result as ReadonlyMap<string, TenantIndex>
    })

  return { forTenants }
})

/** The fulfillment rules of the tenants this process has seen, indexed per tenant and kept current. */
export class RulesIndex extends Context.Service<RulesIndex, RulesIndexShape>()("loyaltea/fulfillment/RulesIndex") {
  static readonly layer = Layer.effect(RulesIndex, make)
}
