/** A small deterministic generator (mulberry32), so a failing case can be replayed from its seed. */
export const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

export const picker = (next: () => number) => <T>(list: ReadonlyArray<T>): T => list[Math.floor(next() * list.length)]!
