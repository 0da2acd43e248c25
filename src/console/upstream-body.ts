/**
 * An upstream answer's body passed on as it arrives (an export can be far larger than memory
 * should hold), failed when the service sends nothing for `idleMs` while a chunk is awaited: a
 * whole-request deadline would cut a long export that is still moving, none at all would hold a
 * stalled one forever. Time the client takes to read (a slow link) is not the service's silence:
 * a chunk is asked of the service only when the client pulls, and the clock runs only then.
 */
export const streamedBody = (body: ReadableStream<Uint8Array>, idleMs: number, abort: (reason: Error) => void): ReadableStream<Uint8Array> => {
  const reader = body.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const timer = setTimeout(() => abort(new Error(`the service sent nothing for ${idleMs} ms`)), idleMs)
      try {
        const { done, value } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(value)
      } finally {
        clearTimeout(timer)
      }
    },
    cancel: (reason) => reader.cancel(reason)
  }, { highWaterMark: 0 })
}
