import { Cause, Schema } from "effect"
import { ConsumerStalled } from "./batch-progress.ts"

/** kafkajs gave up on the consumer (it emitted CRASH), or it could not connect or join. */
export class ConsumerCrashed extends Schema.TaggedError<ConsumerCrashed>()("ConsumerCrashed", {
  group: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `${this.group}: ${this.reason}`
  }
}

export const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

// The group moved on while the batch was being applied (after a long wait on the database, say).
const rebalanceErrors = new Set(["REBALANCE_IN_PROGRESS", "ILLEGAL_GENERATION", "UNKNOWN_MEMBER_ID", "NOT_COORDINATOR_FOR_GROUP"])
export const isRebalancing = (error: unknown): boolean =>
  typeof error === "object" && error !== null &&
  (rebalanceErrors.has(String((error as { type?: unknown }).type)) || isRebalancing((error as { cause?: unknown }).cause))

/** One line on why a consumer stopped, for `/ready`. */
export const reasonOfCause = (cause: Cause.Cause<unknown>) => {
  const failure = cause.reasons.find(Cause.isFailReason)
  if (failure) return failure.error instanceof ConsumerStalled ? `stalled: ${failure.error.reason}` : reasonOf(failure.error)
  return Cause.pretty(cause).split("\n")[0] ?? "stopped"
}
