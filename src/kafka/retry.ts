import { Schedule } from "effect"

/** Capped exponential backoff with no limit: infrastructure comes back, actors must not give up. */
export const retryForever = Schedule.min([
  Schedule.exponential("100 millis"),
  Schedule.spaced("10 seconds")
]).pipe(Schedule.jittered)
