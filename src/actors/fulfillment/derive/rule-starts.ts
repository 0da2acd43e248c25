import { Context, Effect, Layer } from "effect"
import { exec, type Sql } from "../../../db/database.ts"
import type { DatabaseError } from "../../../db/errors.ts"
import type { Consumed } from "../../../kafka/topic-handler.ts"
import type { TenantIndex } from "../matching.ts"
import type { Rule } from "../rule.ts"

/** Every partition: a fulfillment that judged each partition from its first offset. */
export const everyPartition = -1

const keyOf = (tenant: string, ruleId: string, topic: string, partition: number) => `${tenant}\u0000${ruleId}\u0000${topic}\u0000${partition}`

interface StartRow {
  readonly tenant: string
  readonly fulfillment_id: string
  readonly topic: string
  readonly partition: number
  readonly first_offset: string
}

interface Wanted {
  readonly tenant: string
  readonly ruleId: string
  readonly partition: number
  readonly offset: string
}

/**
 * Records, for the rules not known to have one, where they start judging: the batch's first
 * offset of their tenant on the partition, unless a start is recorded already (then that one,
 * and the `every partition` start of the rules from before starts were kept). One statement.
 */
const recordStarts = (tx: Sql, topic: string, wanted: ReadonlyArray<Wanted>) =>
  exec(() => tx<Array<StartRow>>`
    with wanted as (
      select * from unnest(${wanted.map((w) => w.tenant)}::text[], ${wanted.map((w) => w.ruleId)}::uuid[], ${wanted.map((w) => w.partition)}::int[],
                           ${wanted.map((w) => w.offset)}::bigint[]) as k(tenant, fulfillment_id, partition, first_offset)
    ), added as (
      insert into fulfillment.rule_starts (tenant, fulfillment_id, topic, partition, first_offset)
      select w.tenant, w.fulfillment_id, ${topic}, w.partition, w.first_offset from wanted w
      where not exists (select 1 from fulfillment.rule_starts r
                        where r.tenant = w.tenant and r.fulfillment_id = w.fulfillment_id and r.topic = ${topic} and r.partition = ${everyPartition})
      on conflict do nothing
      returning tenant, fulfillment_id, topic, partition, first_offset
    )
    select tenant, fulfillment_id::text as fulfillment_id, topic, partition, first_offset::text as first_offset from added
    union all
    select r.tenant, r.fulfillment_id::text, r.topic, r.partition, r.first_offset::text from fulfillment.rule_starts r
    join wanted w on r.tenant = w.tenant and r.fulfillment_id = w.fulfillment_id and r.topic = ${topic} and r.partition in (w.partition, ${everyPartition})`)

/** The starts recorded for `ruleIds` of a tenant on `topic`, as `<rule id>/<partition>` (partition -1: every one). */
export const startsOf = (sql: Sql, tenant: string, topic: string, ruleIds: ReadonlyArray<string>) =>
  exec(() => sql<Array<StartRow>>`
    select tenant, fulfillment_id::text as fulfillment_id, topic, partition, first_offset::text as first_offset from fulfillment.rule_starts
    where tenant = ${tenant} and topic = ${topic} and fulfillment_id = any(${ruleIds as Array<string>}::uuid[])`).pipe(
    Effect.map((rows) => new Map(rows.map((r) => [`${r.fulfillment_id}/${r.partition}`, BigInt(r.first_offset)])))
  )

/** The rules of `topic`: buy fulfillments judge purchases, tag fulfillments activities. */
const judgesTopic = (topic: string) => (rule: Rule) => (topic === "activity" ? rule.kind === "tag" : rule.kind === "buy")

export interface RuleStartsShape {
  /**
   * Which of its rules judge each event of a batch: a rule judges the records from where the live
   * consumer first judged the partition with it known (recorded here in the batch's transaction,
   * the first time), not those before it, which only a backfill's derivation judges. So a
   * replay judges what the first delivery judged, and a derivation never judges what was judged.
   */
  judging(tx: Sql, topic: string, consumed: ReadonlyArray<Consumed<{ readonly tenant: string }>>, indexes: ReadonlyMap<string, TenantIndex>): Effect.Effect<(rule: Rule, event: Consumed<unknown>) => boolean, DatabaseError>
}

const make = Effect.sync((): RuleStartsShape => {
  const starts = new Map<string, bigint>()
  // The partitions every rule of an index has a known start on: most batches look up nothing.
  const complete = new WeakMap<TenantIndex, Set<string>>()

  const startOf = (tenant: string, ruleId: string, topic: string, partition: number) =>
    starts.get(keyOf(tenant, ruleId, topic, partition)) ?? starts.get(keyOf(tenant, ruleId, topic, everyPartition))

  const unknownOf = (index: TenantIndex, tenant: string, topic: string, partition: number, offset: string) =>
    index.rules.filter(judgesTopic(topic)).flatMap((rule) => (startOf(tenant, rule.id, topic, partition) === undefined ? [{ tenant, ruleId: rule.id, partition, offset }] : []))

  const judging: RuleStartsShape["judging"] = (tx, topic, consumed, indexes) =>
    Effect.gen(function*() {
      const firsts = new Map<string, { tenant: string; partition: number; offset: string }>()
      for (const c of consumed) {
        const key = `${c.tenant}\u0000${c.partition}`
        const seen = firsts.get(key)
        if (seen === undefined || BigInt(c.offset) < BigInt(seen.offset)) firsts.set(key, { tenant: c.tenant, partition: c.partition, offset: c.offset })
      }
      const open = [...firsts.values()].flatMap((first) => {
        const index = indexes.get(first.tenant)
        return index === undefined || complete.get(index)?.has(`${topic}\u0000${first.partition}`) ? [] : [{ ...first, index }]
      })
      const wanted = open.flatMap((o) => unknownOf(o.index, o.tenant, topic, o.partition, o.offset))
      if (wanted.length > 0) {
        for (const row of yield* recordStarts(tx, topic, wanted)) starts.set(keyOf(row.tenant, row.fulfillment_id, row.topic, row.partition), BigInt(row.first_offset))
      }
      for (const o of open) {
        if (unknownOf(o.index, o.tenant, topic, o.partition, o.offset).length > 0) continue
        const done = complete.get(o.index) ?? new Set<string>()
        done.add(`${topic}\u0000${o.partition}`)
        complete.set(o.index, done)
      }
      return (rule: Rule, event: Consumed<unknown>) => {
        const start = startOf(event.tenant, rule.id, topic, event.partition)
        // Unknown only when another process recorded it in a transaction this one could not see
        // yet: that one judged from its batch on, which this batch comes after.
        return start === undefined || BigInt(event.offset) >= start
      }
    })

  return { judging }
})

/** Where each fulfillment started judging each partition, remembered once read (a start never changes). */
export class RuleStarts extends Context.Service<RuleStarts, RuleStartsShape>()("loyaltea/fulfillment/RuleStarts") {
  static readonly layer = Layer.effect(RuleStarts, make)
}
