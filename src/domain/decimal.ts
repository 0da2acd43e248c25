/**
 * Exact decimals of at most 4 places (points, amounts, the basis of a credit), held as a bigint
 * count of ten-thousandths: no binary floating point anywhere between an event and the ledger.
 */
export type Decimal = bigint & { readonly __decimal: unique symbol }

export const places = 4
const scale = 10n ** BigInt(places)

/** How a result with more places than kept is brought back: toward zero, or half away from zero. */
export type Rounding = "down" | "half-up"

const of = (units: bigint) => units as Decimal

export const zero = of(0n)

export class NotADecimal extends Error {}

const decimalText = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/
const plainText = /^(-?)(\d{1,15})(?:\.(\d{1,4}))?$/

/**
 * `"12.5"`, `"-0.0001"`, `"1e3"`: the exact value of a decimal numeral; more than 4 places (after
 * any exponent) is refused, never rounded.
 */
export const fromText = (text: string): Decimal => {
  // The common shape (what `toText` and JSON numbers give), read without the general parse.
  const plain = plainText.exec(text)
  if (plain) {
    const units = BigInt(plain[2]! + (plain[3] ?? "").padEnd(places, "0"))
    return of(plain[1] === "-" ? -units : units)
  }
  const match = decimalText.exec(text.trim())
  if (!match) throw new NotADecimal(`not a decimal number: ${text.slice(0, 40)}`)
  const [, sign, whole, fraction = "", exponent = "0"] = match
  const shift = Number(exponent)
  let digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, "")
  let placesAfter = fraction.length - shift
  // Trailing zeros beyond the kept places are not precision: 1.50000 is 1.5.
  while (placesAfter > places && digits.endsWith("0")) {
    digits = digits.slice(0, -1)
    placesAfter--
  }
  if (placesAfter > places) throw new NotADecimal(`${text.slice(0, 40)} has more than ${places} decimal places`)
  const units = BigInt(digits || "0") * 10n ** BigInt(places - placesAfter)
  return of(sign === "-" ? -units : units)
}

/**
 * A JSON number as a decimal. Its shortest text is its exact decimal value for every number with at
 * most 15 significant digits, which is all the schemas let through (amounts, points).
 */
export const fromNumber = (value: number): Decimal => {
  if (!Number.isFinite(value)) throw new NotADecimal(`not a finite number: ${value}`)
  return fromText(String(value))
}

export const fromInteger = (value: bigint | number): Decimal => of(BigInt(value) * scale)

/** Canonical text: no exponent, no trailing zeros (`12.5`, `-0.0001`, `3`). */
export const toText = (value: Decimal): string => {
  const negative = value < 0n
  const magnitude = negative ? -value : value
  const whole = magnitude / scale
  const remainder = magnitude % scale
  if (remainder === 0n) return negative ? `-${whole}` : `${whole}`
  const fraction = remainder.toString().padStart(places, "0").replace(/0+$/, "")
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`
}

/** For JSON answers: exact for every value with at most 15 significant digits. */
export const toNumber = (value: Decimal): number => Number(toText(value))

export const add = (a: Decimal, b: Decimal): Decimal => of(a + b)
export const sub = (a: Decimal, b: Decimal): Decimal => of(a - b)
export const negate = (a: Decimal): Decimal => of(-a)
export const sum = (values: Iterable<Decimal>): Decimal => {
  let total = 0n
  for (const value of values) total += value
  return of(total)
}
export const compare = (a: Decimal, b: Decimal): -1 | 0 | 1 => (a < b ? -1 : a > b ? 1 : 0)
export const min = (a: Decimal, b: Decimal): Decimal => (a < b ? a : b)
export const max = (a: Decimal, b: Decimal): Decimal => (a > b ? a : b)
export const isZero = (a: Decimal) => a === 0n
export const isNegative = (a: Decimal) => a < 0n

/** numerator / denominator as an integer, rounded as asked (both exact bigints). */
const divide = (numerator: bigint, denominator: bigint, rounding: Rounding): bigint => {
  if (denominator === 0n) throw new RangeError("division by zero")
  const negative = (numerator < 0n) !== (denominator < 0n)
  const n = numerator < 0n ? -numerator : numerator
  const d = denominator < 0n ? -denominator : denominator
  let quotient = n / d
  if (rounding === "half-up" && (n % d) * 2n >= d) quotient += 1n
  return negative ? -quotient : quotient
}

/** a × b, brought back to 4 places. */
export const multiply = (a: Decimal, b: Decimal, rounding: Rounding = "down"): Decimal => of(divide(a * b, scale, rounding))

/** a ÷ b to 4 places. */
export const divideBy = (a: Decimal, b: Decimal, rounding: Rounding = "down"): Decimal => of(divide(a * scale, b, rounding))

/** How many whole b fit in a, rounded as asked: `wholeTimes(25, 10, "down")` is 2. */
export const wholeTimes = (a: Decimal, b: Decimal, rounding: Rounding = "down"): Decimal => of(divide(a, b, rounding) * scale)

/** a × b ÷ c computed exactly, then brought to 4 places: no rounding in between. */
export const multiplyDivide = (a: Decimal, b: Decimal, c: Decimal, rounding: Rounding = "down"): Decimal => of(divide(a * b, c, rounding))
