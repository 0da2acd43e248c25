/**
 * kafkajs 2.2.4 keeps a 1 ms timer running for every connection it has open, doing nothing: after
 * each response its request queue schedules a check for pending requests at `throttledUntil -
 * now`, which is negative when nothing is throttled (it starts at -1), so the check runs again at
 * once, finds nothing and schedules itself again (kafkajs issues #1704 and #1751; Node prints it as
 * a TimeoutNegativeWarning). With the consumers, producers and admin of four services, that is
 * thousands of wake-ups a second: an idle all-in-one process used 17% of a core, 12% with this.
 * Patched as the issue proposes: a check is scheduled only when requests wait (at the
 * end of the throttle, or at kafkajs's own interval when the queue is merely full); `push` and
 * every fulfilled request schedule or run it again when one is queued.
 */
import { createRequire } from "node:module"

interface RequestQueueShape {
  pending: Array<unknown>
  throttledUntil: number
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null
  checkPendingRequests(): void
  scheduleCheckPendingRequests(): void
}

// kafkajs's own interval for a queue that is full rather than throttled (src/network/requestQueue).
const checkPendingRequestsIntervalMs = 10

const RequestQueue = createRequire(import.meta.url)("kafkajs/src/network/requestQueue/index.js") as { prototype: RequestQueueShape }

export const patchedScheduleCheck = function(this: RequestQueueShape) {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return
  const untilUnthrottled = this.throttledUntil - Date.now()
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null
    this.checkPendingRequests()
  }, untilUnthrottled > 0 ? untilUnthrottled : checkPendingRequestsIntervalMs)
}

RequestQueue.prototype.scheduleCheckPendingRequests = patchedScheduleCheck

/** Whether the queue kafkajs uses is the patched one (it is, once this module is loaded). */
export const requestQueuePatched = () => RequestQueue.prototype.scheduleCheckPendingRequests === patchedScheduleCheck
