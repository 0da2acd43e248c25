import { Duration, Effect, Schedule, Schema } from "effect"

/** A batch whose current step has run longer than the consumer's bound: the consumer is stuck. */
export class ConsumerStalled extends Schema.TaggedError<ConsumerStalled>()("ConsumerStalled", {
  group: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `${this.group}: ${this.reason}`
  }
}

/**
 * The step each in-flight batch of one consumer is on, and since when. Every attempt of a step
 * starts its clock again: a batch retrying against an unreachable database makes progress (each
 * attempt ends, in failure); an attempt that never ends does not.
 */
export interface BatchProgress {
  step(batch: string, step: string): void
  done(batch: string): void
  /** The batch that has been on its current step the longest. */
  oldest(): { readonly batch: string; readonly step: string; readonly forMs: number } | undefined
}

export const batchProgress = (now: () => number = () => performance.now()): BatchProgress => {
  const steps = new Map<string, { step: string; since: number }>()
  return {
    step: (batch, step) => void steps.set(batch, { step, since: now() }),
    done: (batch) => void steps.delete(batch),
    oldest: () => {
      let oldest: { batch: string; step: string; since: number } | undefined
      for (const [batch, { since, step }] of steps) if (!oldest || since < oldest.since) oldest = { batch, step, since }
      return oldest && { batch: oldest.batch, step: oldest.step, forMs: now() - oldest.since }
    }
  }
}

/** Fails with ConsumerStalled once a batch has been on one step for `stallMs`. */
export const watchForStall = (progress: BatchProgress, group: string, stallMs: number) =>
  Effect.suspend(() => {
    const oldest = progress.oldest()
    return oldest && oldest.forMs >= stallMs
      ? Effect.fail(new ConsumerStalled({ group, reason: `${oldest.step} batch ${oldest.batch} made no progress for ${Math.round(oldest.forMs)} ms` }))
      : Effect.void
  }).pipe(Effect.repeat(Schedule.spaced(Duration.millis(Math.min(1000, Math.max(50, stallMs / 10))))), Effect.andThen(Effect.never))
