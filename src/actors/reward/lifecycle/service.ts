import { Clock, Context, Effect, Layer } from "effect"
import type { Principal } from "../../../auth/principal.ts"
import { Database } from "../../../db/database.ts"
import * as D from "../../../domain/decimal.ts"
import { InvalidInput } from "../../../domain/errors.ts"
import { requireTenant } from "../../../domain/tenant-guard.ts"
import type { TenantScope } from "../../../domain/tenant-scope.ts"
import { EventProducer } from "../../../kafka/producer.ts"
import { publishCommitted } from "../../../kafka/publish-committed.ts"
import { TenantDirectory } from "../../../tenants/directory.ts"
import { changeAccount } from "../lots/account-change.ts"
import { adjustmentLotKey, type Actor } from "../lots/model.ts"
import { adjust } from "../lots/movements.ts"
import { defaultProgram, type ProgramInput } from "../program/model.ts"
import { programOf, saveProgram } from "../program/repo.ts"
import { type Adjustment, AdjustmentKeyReused, type AdjustmentRequest } from "./model.ts"
import { balanceDetail, findAdjustment } from "./repo.ts"

/** Who an entry made over HTTP is recorded as made by. */
export const actorOf = (principal: Principal | undefined): Actor | null =>
  principal === undefined ? null
  : principal.kind === "operator" ? { kind: "operator", id: principal.operatorId }
  : principal.kind === "api-key" ? { kind: "api-key", id: principal.keyId }
  : { kind: "member", id: principal.userId }

const make = Effect.gen(function*() {
  const db = yield* Database
  const tenants = yield* TenantDirectory
  const producer = yield* EventProducer

  /** The same key, user, points and reason: the earlier adjustment is the answer; anything else reuses the key. */
  const replayOf = (previous: Adjustment, userId: string, request: AdjustmentRequest, key: string) =>
    previous.userId === userId && previous.reason === request.reason && D.toNumber(D.sub(D.fromNumber(previous.points), D.fromNumber(previous.shortfall))) === request.points
      ? Effect.succeed({ adjustment: previous, replayed: true })
      : Effect.fail(new AdjustmentKeyReused({ idempotencyKey: key }))

  const adjustOnce = (principal: Principal | undefined, userId: string, request: AdjustmentRequest, key: string) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const outcome = yield* db.transaction((tx) =>
        Effect.gen(function*() {
          const previous = yield* findAdjustment(tx, request.tenant, key)
          if (previous) return { previous }
          const changed = yield* changeAccount(tx, { tenant: request.tenant, userId, now }, (changes, account, rules) =>
            Effect.sync(() => adjust(changes, account, rules, D.fromNumber(request.points), now, {
              idempotencyKey: key,
              lotKey: adjustmentLotKey(key),
              reason: request.reason,
              actor: actorOf(principal),
              occurredAt: now
            })))
          return { changed }
        })
      )
      if ("previous" in outcome) return yield* replayOf(outcome.previous!, userId, request, key)
      yield* publishCommitted(db, producer, "reward", outcome.changed.outboxId, outcome.changed.messages)
      const made = yield* findAdjustment(db.sql, request.tenant, key)
      return { adjustment: made!, replayed: false }
    })

  return {
    program: (scope: TenantScope, tenant: string) =>
      requireTenant(scope, tenant).pipe(Effect.andThen(tenants.require(tenant)), Effect.andThen(programOf(db.sql, tenant))),
    saveProgram: (scope: TenantScope, tenant: string, input: ProgramInput) =>
      tenants.writable(scope, tenant).pipe(Effect.andThen(saveProgram(db.sql, { ...defaultProgram(tenant), ...input, tenant }))),
    balance: (tenant: string, userId: string) => balanceDetail(db.sql, tenant, userId),
    /**
     * An operator's correction, made once per idempotency key (the body's, else the header's): a
     * retry answers with the original; two at once with the same key make one entry.
     */
    adjust: (scope: TenantScope, principal: Principal | undefined, userId: string, request: AdjustmentRequest, headerKey: string | undefined) =>
      Effect.gen(function*() {
        const key = request.idempotencyKey ?? headerKey
        if (key === undefined) return yield* new InvalidInput({ field: "idempotencyKey", reason: "required: give the adjustment an idempotencyKey or send an Idempotency-Key header, so that a retry is not applied twice" })
        if (headerKey !== undefined && request.idempotencyKey !== undefined && headerKey !== request.idempotencyKey) {
          return yield* new InvalidInput({ field: "idempotencyKey", reason: "differs from the Idempotency-Key header" })
        }
        yield* tenants.writable(scope, request.tenant)
        return yield* adjustOnce(principal, userId, request, key).pipe(
          // Another request with the key committed first: its adjustment is the answer, if it is the same.
          Effect.catchTag("UniqueViolation", () =>
            findAdjustment(db.sql, request.tenant, key).pipe(Effect.flatMap((previous) => replayOf(previous!, userId, request, key))))
        )
      })
  }
})

/** The points lifecycle as the reward API offers it: the program, adjustments, the balance in full. */
export class PointsLifecycle extends Context.Service<PointsLifecycle, Effect.Success<typeof make>>()("loyaltea/reward/PointsLifecycle") {
  static readonly layer = Layer.effect(PointsLifecycle, make)
}
