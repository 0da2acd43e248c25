/**
 * A request body handed on to the service a chunk at a time, as the service asks for it (never
 * read ahead, never held whole), telling `onChunk` each time one is taken (the service that keeps
 * reading is still at work, however long the whole upload lasts) and `onEnd` once all of it is.
 */
export const passedOn = (body: ReadableStream<Uint8Array>, onChunk: () => void, onEnd: () => void): ReadableStream<Uint8Array> => {
  const reader = body.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      onChunk()
      const { done, value } = await reader.read()
      if (done) {
        onEnd()
        controller.close()
      } else controller.enqueue(value)
    },
    cancel: (reason) => reader.cancel(reason)
  }, { highWaterMark: 0 })
}
