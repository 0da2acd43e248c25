/** A `datetime-local` input's value (the browser's local time) as the ISO instant the API takes; empty stays absent. */
export const instantOf = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined)

/** An instant as a `datetime-local` value in the browser's local time, to the minute. */
export const localOf = (date: Date): string => {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000)
  return shifted.toISOString().slice(0, 16)
}
