import type { Access } from "../auth/authorizer.ts";
import type { SaslSession } from "../auth/sasl-session.ts";
import type { Security } from "../auth/security.ts";
import type { Coordinator } from "../groups/coordinator.ts";
import type { BrokerLog } from "../log.ts";
import type { ApiSchema } from "../protocol/schema.ts";
import type { Topics } from "../state/topics.ts";

/** Broker-wide state and settings the handlers work on. */
export interface BrokerState {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly topics: Topics;
  readonly coordinator: Coordinator;
  readonly autoCreateTopics: boolean;
  readonly durable: boolean;
  readonly log: BrokerLog;
  /** The ranges ApiVersions advertises, derived from the registry. */
  readonly apiRanges: readonly { apiKey: number; minVersion: number; maxVersion: number }[];
  nextProducerId(): number;
  /** SASL users and ACLs; null when the broker runs open. */
  readonly security: Security | null;
  /** Observes every request served, by API name. */
  readonly onRequest: ((api: string) => void) | undefined;
}

/** One request as a handler sees it. */
export interface RequestContext {
  readonly broker: BrokerState;
  readonly version: number;
  readonly clientId: string;
  readonly clientHost: string;
  /** Host and port clients should use to reach this broker (the address they connected to by default). */
  readonly advertised: { readonly host: string; readonly port: number };
  /** False once the connection that sent the request has closed. */
  alive(): boolean;
  /** Runs `cb` when the connection closes (held requests release their timers); returns an unregister function. */
  onClose(cb: () => void): () => void;
  /** The connection's SASL state (handshake, authentication). */
  readonly session: SaslSession;
  /** What the connection's principal may do (everything when the broker runs open). */
  readonly access: Access;
  /** Closes the connection once this request's response has been written (failed authentication). */
  closeAfterResponse(): void;
}

export interface Api<Req, Res> extends ApiSchema<Req, Res> {
  /** The response, a promise of it for held requests, or null for none (acks=0). */
  handle(req: Req, ctx: RequestContext): Res | Promise<Res> | null;
}

export const defineApi = <Req, Res>(api: Api<Req, Res>): Api<Req, Res> => api;
