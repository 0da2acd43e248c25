import { lookup } from "node:dns/promises"
import { isIP } from "node:net"

const v4Blocked: ReadonlyArray<readonly [string, number, string]> = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared (carrier-grade NAT)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"]
]

const v4Number = (address: string) => address.split(".").reduce((n, part) => n * 256 + Number(part), 0)

const v4Reason = (address: string): string | undefined => {
  const n = v4Number(address)
  for (const [base, bits, reason] of v4Blocked) {
    const size = 2 ** (32 - bits)
    const start = v4Number(base)
    if (n >= start && n < start + size) return reason
  }
  return undefined
}

/** The 16 bytes of an IPv6 address (with an embedded IPv4 tail, as in `::ffff:10.0.0.1`). */
const v6Bytes = (address: string): Array<number> => {
  let text = address.toLowerCase().replace(/%.*$/, "")
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (tail) {
    const n = v4Number(tail[1]!)
    text = text.slice(0, -tail[1]!.length) + `${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}`
  }
  const [head, rest] = text.split("::") as [string, string | undefined]
  const groups = (part: string | undefined) => (part ? part.split(":").filter((g) => g.length > 0) : [])
  const left = groups(head)
  const right = groups(rest)
  const middle = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0")
  return [...left, ...middle, ...right].flatMap((group) => {
    const value = parseInt(group, 16)
    return [(value >> 8) & 0xff, value & 0xff]
  })
}

const embeddedV4 = (bytes: ReadonlyArray<number>, at: number) => bytes.slice(at, at + 4).join(".")

const v6Reason = (address: string): string | undefined => {
  const b = v6Bytes(address)
  const zeroUntil = (end: number) => b.slice(0, end).every((x) => x === 0)
  if (zeroUntil(16)) return "unspecified"
  if (zeroUntil(15) && b[15] === 1) return "loopback"
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::) carry an IPv4 address.
  if (zeroUntil(10) && b[10] === 0xff && b[11] === 0xff) return v4Reason(embeddedV4(b, 12))
  if (zeroUntil(12)) return v4Reason(embeddedV4(b, 12))
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && b.slice(4, 12).every((x) => x === 0)) return v4Reason(embeddedV4(b, 12))
  if (b[0] === 0x20 && b[1] === 0x02) return v4Reason(embeddedV4(b, 2))
  if ((b[0]! & 0xfe) === 0xfc) return "private (unique local)"
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return "link-local"
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return "site-local"
  if (b[0] === 0xff) return "multicast"
  return undefined
}

/** Why an IP address is not a public destination (private, loopback, link-local, ...), or undefined when it is. */
export const blockedAddressReason = (address: string): string | undefined => {
  const family = isIP(address)
  if (family === 4) return v4Reason(address)
  if (family === 6) return v6Reason(address)
  return "not an IP address"
}

/** The host of a URL as an address or name (IPv6 without its brackets). */
export const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, "$1")

/**
 * Why a URL's host is refused without resolving it: a literal address that is not public, or a
 * name that always means this machine. Undefined when only resolving it can tell.
 */
export const literalTargetRefusal = (url: URL): string | undefined => {
  const host = hostOf(url).toLowerCase()
  if (host === "localhost" || host.endsWith(".localhost")) return `${host} is this machine`
  if (isIP(host) === 0) return undefined
  const reason = blockedAddressReason(host)
  return reason ? `${host} is a ${reason} address` : undefined
}

export type Resolve = (host: string) => Promise<ReadonlyArray<string>>

export const resolveAll: Resolve = async (host) =>
  isIP(host) !== 0 ? [host] : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address)

/**
 * Why a delivery to `url` is refused: its host resolves (any of its addresses) to a private,
 * loopback or link-local address, or does not resolve. Undefined when every address is public.
 */
export const targetRefusal = async (url: URL, resolve: Resolve = resolveAll): Promise<string | undefined> => {
  const literal = literalTargetRefusal(url)
  if (literal) return literal
  const host = hostOf(url)
  let addresses: ReadonlyArray<string>
  try {
    addresses = await resolve(host)
  } catch (error) {
    return `${host} does not resolve: ${error instanceof Error ? error.message : String(error)}`
  }
  if (addresses.length === 0) return `${host} does not resolve`
  for (const address of addresses) {
    const reason = blockedAddressReason(address)
    if (reason) return `${host} resolves to ${address}, a ${reason} address`
  }
  return undefined
}
