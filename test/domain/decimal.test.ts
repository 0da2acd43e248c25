import { describe, expect, test } from "bun:test"
import * as D from "../../src/domain/decimal.ts"

const random = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}

describe("exact decimals", () => {
  test.each([
    ["12.5", "12.5"], ["012.5000", "12.5"], ["-0.0001", "-0.0001"], ["1e3", "1000"],
    ["2.5E-3", "0.0025"], ["1.00000", "1"], ["0", "0"], ["-0", "0"], ["100000000000", "100000000000"]
  ])("%s reads as %s", (text, canonical) => {
    expect(D.toText(D.fromText(text))).toBe(canonical)
  })

  test("more than 4 places is refused, never rounded; so is anything that is not a numeral", () => {
    for (const text of ["0.00001", "1.5e-4", "1.00001", "abc", "1.", ".5", "1e", "0x10", "NaN"]) expect(() => D.fromText(text)).toThrow()
  })

  test("every JSON number the schemas accept reads as the decimal its text says", () => {
    const next = random(7)
    for (let i = 0; i < 10_000; i++) {
      const units = BigInt(Math.floor(next() * 1e15)) - 10n ** 14n
      const text = D.toText(units as D.Decimal)
      expect(D.fromNumber(Number(text))).toBe(units as D.Decimal)
    }
  })

  test("sums of decimals are exact where floating point drifts", () => {
    const tenth = D.fromText("0.1")
    const total = D.sum(Array.from({ length: 10 }, () => tenth))
    expect(D.toText(total)).toBe("1")
    expect(0.1 * 10 === 1 && [0.1, 0.1, 0.1].reduce((a, b) => a + b) !== 0.3).toBe(true)
    expect(D.toText(D.add(D.fromText("0.1"), D.fromText("0.2")))).toBe("0.3")
  })

  test("rounding: toward zero, or half away from zero, symmetric for negatives", () => {
    const d = D.fromText
    expect(D.toText(D.divideBy(d("1"), d("3")))).toBe("0.3333")
    expect(D.toText(D.divideBy(d("2"), d("3"), "half-up"))).toBe("0.6667")
    expect(D.toText(D.divideBy(d("-2"), d("3"), "half-up"))).toBe("-0.6667")
    expect(D.toText(D.divideBy(d("-2"), d("3")))).toBe("-0.6666")
    expect(D.toText(D.multiply(d("0.0005"), d("0.5"), "half-up"))).toBe("0.0003")
    expect(D.toText(D.multiply(d("0.0005"), d("0.5")))).toBe("0.0002")
    expect(D.toText(D.wholeTimes(d("25"), d("10")))).toBe("2")
    expect(D.toText(D.wholeTimes(d("25"), d("10"), "half-up"))).toBe("3")
    expect(D.toText(D.wholeTimes(d("24.99"), d("10"), "half-up"))).toBe("2")
    expect(() => D.divideBy(d("1"), D.zero)).toThrow()
  })

  test("division agrees with exact rational arithmetic on random operands", () => {
    const next = random(11)
    for (let i = 0; i < 5_000; i++) {
      const a = BigInt(Math.floor(next() * 1e12)) - 5n * 10n ** 11n
      const b = BigInt(Math.floor(next() * 1e8)) + 1n
      // The oracle: a/b in ten-thousandths is floor(|a| * 10^4 / |b|) with a's sign, or rounded at the half.
      const exact = (rounding: "down" | "half-up") => {
        const n = (a < 0n ? -a : a) * 10000n
        let q = n / b
        if (rounding === "half-up" && 2n * (n % b) >= b) q++
        return a < 0n ? -q : q
      }
      expect(D.divideBy(a as D.Decimal, b as D.Decimal)).toBe(exact("down") as D.Decimal)
      expect(D.divideBy(a as D.Decimal, b as D.Decimal, "half-up")).toBe(exact("half-up") as D.Decimal)
    }
  })
})
