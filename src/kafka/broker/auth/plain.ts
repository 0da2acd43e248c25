import type { Users } from "./credentials.ts";
import type { Exchange, Step } from "./exchange.ts";

const EMPTY = new Uint8Array(0);

/** SASL PLAIN (RFC 4616): one token `authzid NUL user NUL password`; the authzid must be empty or the user. */
export class PlainExchange implements Exchange {
  constructor(private readonly users: Users) {}

  step(token: Uint8Array): Step {
    const parts = new TextDecoder().decode(token).split("\u0000");
    if (parts.length !== 3) return { kind: "failed", reason: "invalid SASL/PLAIN message: expected authzid NUL user NUL password" };
    const [authzid, user, password] = parts as [string, string, string];
    if (!user || !password) return { kind: "failed", reason: "SASL/PLAIN needs a user name and a password" };
    if (authzid !== "" && authzid !== user) return { kind: "failed", reason: "SASL/PLAIN authorization id must be empty or the user name" };
    if (!this.users.checkPassword(user, password)) return { kind: "failed", reason: "Authentication failed: Invalid username or password" };
    return { kind: "done", user, reply: EMPTY };
  }
}
