import { describe, expect, test } from "bun:test"
import { retryDelayMs } from "../../../src/actors/reward/webhooks/backoff.ts"
import { blockedAddressReason, literalTargetRefusal, targetRefusal } from "../../../src/actors/reward/webhooks/target.ts"

describe("webhook targets", () => {
  test.each([
    "127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "255.255.255.255", "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:a9fe:a9fe",
    "64:ff9b::a00:1", "2002:c0a8:101::1", "fec0::1"
  ])("%s is not a public destination", (address) => {
    expect(blockedAddressReason(address)).toBeDefined()
  })

  test.each(["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "2001:db8:85a3::8a2e:370:7334", "::ffff:8.8.8.8"])("%s is public", (address) => {
    expect(blockedAddressReason(address)).toBeUndefined()
  })

  test("literal hosts and localhost are refused without resolving; names are left to the resolver", () => {
    expect(literalTargetRefusal(new URL("http://[::1]:8080/x"))).toBe("::1 is a loopback address")
    expect(literalTargetRefusal(new URL("http://api.localhost/x"))).toBe("api.localhost is this machine")
    expect(literalTargetRefusal(new URL("http://0x7f000001/x"))).toBe("127.0.0.1 is a loopback address")
    expect(literalTargetRefusal(new URL("https://hooks.example.com/x"))).toBeUndefined()
  })

  test("every address a name resolves to is checked; a name that does not resolve is refused", async () => {
    const url = new URL("https://hooks.shop.test/x")
    expect(await targetRefusal(url, async () => ["93.184.216.34"])).toBeUndefined()
    expect(await targetRefusal(url, async () => ["93.184.216.34", "fe80::2"])).toBe("hooks.shop.test resolves to fe80::2, a link-local address")
    expect(await targetRefusal(url, async () => [])).toBe("hooks.shop.test does not resolve")
    expect(await targetRefusal(url, async () => Promise.reject(new Error("ENOTFOUND")))).toBe("hooks.shop.test does not resolve: ENOTFOUND")
  })

  test("retries back off exponentially with jitter in the upper half, up to the cap", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1000, 60_000, () => 0))).toEqual([500, 1000, 2000, 4000])
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1000, 60_000, () => 0.999999))).toEqual([1000, 2000, 4000, 8000])
    expect(retryDelayMs(30, 1000, 60_000, () => 1)).toBe(60_000)
    expect(retryDelayMs(500, 1000, 60_000, () => 0)).toBe(30_000)
  })
})
