/** `GET /ready` of a service: its status and report (a request that fails or hangs throws). */
export const readiness = async (port: number) => {
  const response = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(10_000) })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** Polls `read` until `check` holds; a failed read (a refused or timed-out request) counts as not yet. */
export const until = async <A>(read: () => Promise<A>, check: (value: A) => boolean, timeoutMs: number): Promise<A | undefined> => {
  const deadline = Date.now() + timeoutMs
  let last: A | undefined
  while (Date.now() < deadline) {
    try {
      last = await read()
      if (check(last)) return last
    } catch {}
    await Bun.sleep(200)
  }
  return last
}
