import { refusalOf, type Session } from "./api.ts"

/**
 * Fetches a file with the operator's token and hands it to the browser as a download named `name`. A plain
 * link cannot carry the token (it is kept in memory only), so the answer is read here: as a
 * stream, a chunk at a time, with `onProgress` told the bytes so far. The chunks are kept in one
 * Blob, so the whole file is held by the browser (its blob store, which spills to disk in
 * Chromium) until it is saved: writing to disk as it arrives needs the File System Access API,
 * which not every browser has.
 */
export const downloadFile = async (
  session: Session,
  path: string,
  name: string,
  options: { readonly signal?: AbortSignal; readonly onProgress?: (bytes: number) => void } = {}
): Promise<{ readonly name: string; readonly bytes: number }> => {
  const response = await session.fetch(path, { signal: options.signal })
  if (!response.ok) throw await refusalOf(response)
  const chunks: Array<Uint8Array> = []
  let bytes = 0
  if (response.body) {
    const reader = response.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      bytes += value.byteLength
      options.onProgress?.(bytes)
    }
  }
  const url = URL.createObjectURL(new Blob(chunks as Array<BlobPart>, { type: response.headers.get("content-type") ?? "application/octet-stream" }))
  try {
    const link = document.createElement("a")
    link.href = url
    link.download = name
    document.body.appendChild(link)
    link.click()
    link.remove()
  } finally {
    // The click has started the download; the URL is not needed once the browser has it.
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  }
  return { name, bytes }
}
