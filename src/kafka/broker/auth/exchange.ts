/** One SASL mechanism's server side: each client token gets a reply, until it succeeds or fails. */
export type Step = { kind: "continue"; reply: Uint8Array } | { kind: "done"; user: string; reply: Uint8Array } | { kind: "failed"; reason: string };

export interface Exchange {
  step(token: Uint8Array): Step;
}
