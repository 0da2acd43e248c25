/** A request's body: one event, or an array of them. */
export type EventsBody<E> = E | ReadonlyArray<E>

export const listOf = <E>(body: EventsBody<E>): ReadonlyArray<E> => (Array.isArray(body) ? body : [body as E])

/** `eventId` of a one-event body, `[2].eventId` of an array's third: the field as the client wrote it. */
export const fieldOf = (body: EventsBody<unknown>, index: number, field: string) => (Array.isArray(body) ? `[${index}].${field}` : field)
