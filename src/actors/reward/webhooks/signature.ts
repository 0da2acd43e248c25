import { createHmac } from "node:crypto"

/** The header a receiver verifies: `t=<unix seconds>,v1=<hex>[,v1=<hex>]`, one `v1` per active secret. */
export const signatureHeader = (secrets: ReadonlyArray<string>, unixSeconds: number, body: string) =>
  [`t=${unixSeconds}`, ...secrets.map((secret) => `v1=${createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex")}`)].join(",")
