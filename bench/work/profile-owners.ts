/**
 * bun bench/work/profile-owners.ts <file.cpuprofile> [--top 25]
 *
 * Where a process's CPU went, by owner: each sample of a `--cpu-prof` profile is charged to the
 * first frame on its stack that is JavaScript of a package (`node_modules/<name>`) or of this
 * repository (`src/<file>`), so native work (JSON, buffers, regular expressions, sockets) counts
 * for whoever asked for it. Prints each owner's share of the profile's wall time.
 */
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"

interface Frame {
  readonly functionName: string
  readonly url: string
}
interface ProfileNode {
  readonly id: number
  readonly callFrame: Frame
  readonly children?: ReadonlyArray<number>
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const ownerOf = (url: string): string | undefined => {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return pkg[1]
  const own = /\/src\/(.+)$/.exec(url)
  return own ? `src/${own[1]!.split("/").slice(0, 2).join("/")}` : undefined
}

/** Each owner's share (0..1) of the profile's time, largest first. */
export const ownersOf = (profile: Profile): ReadonlyArray<readonly [string, number]> => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const owned = new Map<number, string>()
  const ownerOfNode = (id: number): string => {
    const known = owned.get(id)
    if (known !== undefined) return known
    const node = byId.get(id)!
    const own = ownerOf(node.callFrame.url)
    const up = parent.get(id)
    const result = own ?? (up === undefined ? `(${node.callFrame.functionName || "native"})` : ownerOfNode(up))
    owned.set(id, result)
    return result
  }
  const time = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0
    total += delta
    const owner = ownerOfNode(id)
    time.set(owner, (time.get(owner) ?? 0) + delta)
  })
  return [...time].map(([owner, t]) => [owner, total === 0 ? 0 : t / total] as const).sort((a, b) => b[1] - a[1])
}

if (import.meta.main) {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { top: { type: "string", default: "25" } } })
  if (positionals.length !== 1) {
    console.error("usage: bun bench/work/profile-owners.ts <file.cpuprofile> [--top 25]")
    process.exit(2)
  }
  const profile = JSON.parse(readFileSync(positionals[0]!, "utf8")) as Profile
  for (const [owner, share] of ownersOf(profile).slice(0, Number(values.top))) console.log(`${(share * 100).toFixed(1).padStart(6)}%  ${owner}`)
}
