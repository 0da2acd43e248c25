/**
 * The wait before retry number `attempt` (1 after the first failure): `base·2^(attempt-1)`, capped at
 * `max`, with jitter drawn from its upper half, so receivers coming back from an outage are not
 * hit by every sender in the same second.
 */
export const retryDelayMs = (attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random) => {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40))
  return Math.round(exponential / 2 + (random() * exponential) / 2)
}
