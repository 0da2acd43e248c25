/**
 * `text` cut to at most `max` characters, saying so. For reasons and messages that may quote
 * what a client sent: a dead letter or a log line must not grow with the input.
 */
export const truncated = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, Math.max(0, max - 14)).replace(/[\ud800-\udbff]$/, "")}… (truncated)`
