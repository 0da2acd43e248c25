export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface Exposition {
  readonly types: ReadonlyMap<string, string>
  readonly samples: ReadonlyArray<Sample>
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?(?:[0-9.]+(?:e[+-]?[0-9]+)?|NaN|\+Inf|-Inf))(?: -?[0-9]+)?$/
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/gy

/**
 * Parses the Prometheus text exposition format (0.0.4) strictly: every line is a comment, a
 * HELP/TYPE line or a sample; every sample belongs to a family with a TYPE. Throws naming the
 * first line that is not.
 */
export const parseExposition = (text: string): Exposition => {
  const types = new Map<string, string>()
  const samples: Array<Sample> = []
  for (const [index, line] of text.split("\n").entries()) {
    if (line === "") continue
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line)
    if (meta) {
      if (meta[1] === "TYPE") {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(meta[3]!)) throw new Error(`line ${index + 1}: unknown type ${meta[3]}`)
        types.set(meta[2]!, meta[3]!)
      }
      continue
    }
    if (line.startsWith("#")) continue
    const match = sampleLine.exec(line)
    if (!match) throw new Error(`line ${index + 1} is not a sample: ${line}`)
    const labels: Record<string, string> = {}
    const body = match[2] ?? ""
    labelPair.lastIndex = 0
    while (labelPair.lastIndex < body.length) {
      const pair = labelPair.exec(body)
      if (!pair) throw new Error(`line ${index + 1}: bad labels ${body}`)
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c))
    }
    const name = match[1]!
    const family = name.replace(/_(bucket|sum|count|total|created)$/, "")
    if (!types.has(name) && !types.has(family)) throw new Error(`line ${index + 1}: ${name} has no TYPE`)
    samples.push({ name, labels, value: Number(match[3]!.replace("+Inf", "Infinity")) })
  }
  return { types, samples }
}

/** The samples of `name` whose labels include `labels`. */
export const find = (exposition: Exposition, name: string, labels: Record<string, string> = {}) =>
  exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
