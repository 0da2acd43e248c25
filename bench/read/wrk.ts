import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface LoadResult {
  readonly label: string
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly non2xx: number
}

const toMs = (text: string) => {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text.trim())
  if (!match) return Number.NaN
  const value = Number(match[1])
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value
}

/**
 * wrk against `paths` of `base` (each request picks the next path, round robin, so the reads
 * spread over many rows), with `headers` on every request. Fails if any answer was not 2xx.
 */
export const runWrk = async (options: {
  readonly label: string
  readonly base: string
  readonly paths: ReadonlyArray<string>
  readonly headers?: Record<string, string>
  readonly connections: number
  readonly seconds: number
  readonly threads?: number
}): Promise<LoadResult> => {
  const dir = mkdtempSync(join(tmpdir(), "loyaltea-wrk-"))
  const script = join(dir, "paths.lua")
  const quoted = options.paths.map((path) => `"${path.replace(/"/g, '\\"')}"`).join(",\n")
  const headerLines = Object.entries(options.headers ?? {}).map(([name, value]) => `wrk.headers["${name}"] = "${value}"`).join("\n")
  writeFileSync(script, `local paths = {\n${quoted}\n}\nlocal i = 0\n${headerLines}\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n`)
  const proc = Bun.spawn(["wrk", `-t${options.threads ?? 2}`, `-c${options.connections}`, `-d${options.seconds}s`, "--latency", "-s", script, options.base], { stdout: "pipe", stderr: "pipe" })
  const [out, err] = [await new Response(proc.stdout).text(), await new Response(proc.stderr).text()]
  if ((await proc.exited) !== 0) throw new Error(`wrk failed: ${err}${out}`)
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
  const p50 = toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? "")
  const p99 = toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? "")
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0)
  return { label: options.label, requestsPerSecond: rps, p50Ms: p50, p99Ms: p99, non2xx }
}
