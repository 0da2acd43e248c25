/**
 * An upstream answer's body passed on as it arrives (an export can be far larger than memory
 * should hold), failed when the service sends nothing for `idleMs`: a whole-request deadline
 * would cut a long export that is still moving, and none at all would hold a stalled one forever.
 */
export const streamedBody = (body: ReadableStream<Uint8Array>, idleMs: number, abort: (reason: Error) => void): ReadableStream<Uint8Array> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const arm = () => {
    clearTimeout(timer)
    timer = setTimeout(() => abort(new Error(`the service sent nothing for ${idleMs} ms`)), idleMs)
  }
  arm()
  return body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      arm()
      controller.enqueue(chunk)
    },
    flush() {
      clearTimeout(timer)
    }
  }))
}
