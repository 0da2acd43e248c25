import { describe, expect, test } from "bun:test"
import { forwardedClient } from "../../src/http/caller.ts"

describe("the client address behind trusted proxies", () => {
  test("behind one proxy it is the right-most entry, whatever the client wrote before it", () => {
    expect(forwardedClient("10.0.0.7", 1)).toBe("10.0.0.7")
    expect(forwardedClient("1.2.3.4, 5.6.7.8,10.0.0.7", 1)).toBe("10.0.0.7")
  })

  test("behind two proxies it is the entry the outer one appended", () => {
    expect(forwardedClient("1.2.3.4, 10.0.0.7, 192.168.1.1", 2)).toBe("10.0.0.7")
    // Fewer entries than proxies: the left-most is the one nearest the client.
    expect(forwardedClient("10.0.0.7", 2)).toBe("10.0.0.7")
  })

  test("no usable entry means no forwarded address", () => {
    expect(forwardedClient(null, 1)).toBeUndefined()
    expect(forwardedClient("", 1)).toBeUndefined()
    expect(forwardedClient("1.2.3.4, ", 1)).toBeUndefined()
    expect(forwardedClient(`${"9".repeat(500)}`, 1)).toHaveLength(100)
  })
})
