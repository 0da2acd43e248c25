import { randomBytes, timingSafeEqual } from "node:crypto";
import { hash, hmac, type ScramMechanism, type Users } from "./credentials.ts";
import type { Exchange, Step } from "./exchange.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

/** `a=1,b=2` into its attributes, or null when malformed. */
function attributes(s: string): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const part of s.split(",")) {
    const m = /^([a-zA-Z])=(.*)$/s.exec(part);
    if (!m) return null;
    out.set(m[1]!, m[2]!);
  }
  return out;
}

/** RFC 5802 saslname: `=2C` is a comma, `=3D` an equals sign; any other `=` is invalid. */
function decodeName(s: string): string | null {
  if (/=(?!2C|3D)/.test(s)) return null;
  return s.replace(/=2C/g, ",").replace(/=3D/g, "=");
}

const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((x, i) => x ^ b[i]!));

/**
 * The server side of SCRAM-SHA-256/512 (RFC 5802, RFC 7677), without channel binding, as Kafka offers
 * it: client-first, server-first (nonce, salt, iterations), client-final with the proof, server-final
 * with the server's signature.
 */
export class ScramExchange implements Exchange {
  private state: "first" | "final" | "over" = "first";
  private user = "";
  private nonce = "";
  private gs2 = "";
  private authPrefix = "";

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly users: Users,
  ) {}

  step(token: Uint8Array): Step {
    const failed = (reason: string): Step => {
      this.state = "over";
      return { kind: "failed", reason };
    };
    if (this.state === "first") {
      const message = text(token);
      const m = /^([nyp][^,]*),([^,]*),(.*)$/s.exec(message);
      if (!m) return failed("invalid SCRAM client-first message");
      if (m[1]!.startsWith("p")) return failed("SCRAM channel binding is not supported");
      const bare = attributes(m[3]!);
      const name = bare?.get("n") === undefined ? null : decodeName(bare.get("n")!);
      const clientNonce = bare?.get("r");
      if (!bare || name === null || !clientNonce) return failed("invalid SCRAM client-first message");
      const authzid = m[2]!.startsWith("a=") ? decodeName(m[2]!.slice(2)) : "";
      if (authzid !== "" && authzid !== name) return failed("SCRAM authorization id must be empty or the user name");
      const credential = this.users.scram(this.mechanism, name);
      if (!credential) return failed(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`);
      this.user = name;
      this.gs2 = `${m[1]},${m[2]},`;
      this.nonce = clientNonce + randomBytes(18).toString("base64").replace(/[+/=]/g, "x");
      const serverFirst = `r=${this.nonce},s=${credential.salt.toString("base64")},i=${credential.iterations}`;
      this.authPrefix = `${m[3]},${serverFirst}`;
      this.state = "final";
      return { kind: "continue", reply: bytes(serverFirst) };
    }
    if (this.state === "final") {
      const message = text(token);
      const cut = message.lastIndexOf(",p=");
      const final = cut > 0 ? attributes(message) : null;
      if (!final || cut < 0) return failed("invalid SCRAM client-final message");
      if (final.get("c") !== Buffer.from(this.gs2).toString("base64")) return failed("SCRAM channel binding data does not match");
      if (final.get("r") !== this.nonce) return failed("SCRAM nonce does not match");
      const credential = this.users.scram(this.mechanism, this.user)!;
      const authMessage = `${this.authPrefix},${message.slice(0, cut)}`;
      const proof = Buffer.from(final.get("p")!, "base64");
      const signature = hmac(this.mechanism, credential.storedKey, authMessage);
      this.state = "over";
      if (proof.length !== signature.length || !timingSafeEqual(hash(this.mechanism, xor(proof, signature)), credential.storedKey)) {
        return failed(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`);
      }
      const serverSignature = hmac(this.mechanism, credential.serverKey, authMessage).toString("base64");
      return { kind: "done", user: this.user, reply: bytes(`v=${serverSignature}`) };
    }
    return failed("SCRAM exchange already finished");
  }
}
