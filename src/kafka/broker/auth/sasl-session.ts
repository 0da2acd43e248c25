import { ErrorCode } from "../protocol/errors.ts";
import { type Access, accessFor, openAccess } from "./authorizer.ts";
import type { Mechanism } from "./credentials.ts";
import type { Exchange } from "./exchange.ts";
import { PlainExchange } from "./plain.ts";
import { ScramExchange } from "./scram.ts";
import type { Security } from "./security.ts";

/** Requests a connection may send before it has authenticated. */
export const BEFORE_AUTHENTICATION = new Set([18 /* ApiVersions */, 17 /* SaslHandshake */, 36 /* SaslAuthenticate */]);

export interface AuthenticateResult {
  errorCode: number;
  errorMessage: string | null;
  reply: Uint8Array;
}

/**
 * One connection's SASL state, as Kafka's SaslServerAuthenticator keeps it: a handshake picks the
 * mechanism, then tokens go back and forth (in SaslAuthenticate requests, or as bare frames after a
 * v0 handshake) until the principal `User:<name>` is established. Without security everything is open.
 */
export class SaslSession {
  private exchange: Exchange | null = null;
  access: Access;
  authenticated: boolean;
  /** After a SaslHandshake v0 the tokens come as bare size-prefixed frames, not as requests. */
  rawTokens = false;

  constructor(
    private readonly security: Security | null,
    private readonly host: string,
  ) {
    this.authenticated = security === null;
    this.access = openAccess;
  }

  get mechanisms(): readonly string[] {
    return this.security?.mechanisms ?? [];
  }

  handshake(mechanism: string, version: number): number {
    if (!this.security || this.authenticated || this.exchange) return ErrorCode.ILLEGAL_SASL_STATE;
    if (!this.security.mechanisms.includes(mechanism as Mechanism)) return ErrorCode.UNSUPPORTED_SASL_MECHANISM;
    const users = this.security.users;
    this.exchange = mechanism === "PLAIN" ? new PlainExchange(users) : new ScramExchange(mechanism as "SCRAM-SHA-256" | "SCRAM-SHA-512", users);
    this.rawTokens = version === 0;
    return ErrorCode.NONE;
  }

  /** One client token; a failure means the connection must be closed once the answer is out. */
  authenticate(token: Uint8Array): AuthenticateResult {
    const none = new Uint8Array(0);
    if (!this.security || !this.exchange || this.authenticated) {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: "SaslAuthenticate without a SaslHandshake first", reply: none };
    }
    const step = this.exchange.step(token);
    if (step.kind === "failed") return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: step.reason, reply: none };
    if (step.kind === "done") {
      this.authenticated = true;
      this.rawTokens = false;
      this.exchange = null;
      this.access = accessFor(this.security.authorizer, `User:${step.user}`, this.host);
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, reply: step.reply };
  }
}
