import type { Mechanism } from "./auth/credentials.ts";
import type { BrokerLog } from "./log.ts";

/** SASL authentication and ACL authorization; without it the broker is open, as a PLAINTEXT listener. */
export interface SaslOptions {
  /** User name → password. The passwords are kept only as salted SCRAM credentials. */
  users: ReadonlyMap<string, string>;
  /** Default: PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512. */
  mechanisms?: readonly Mechanism[];
  /** Principals allowed everything (`User:admin`). */
  superUsers?: readonly string[];
  /** Kafka's `allow.everyone.if.no.acl.found`. Default false: a resource without ACLs is closed to all but super users. */
  allowEveryoneIfNoAclFound?: boolean;
}

export interface RetentionOptions {
  /** Bytes kept per partition before whole old segments are deleted; -1 keeps all. Default 1 GiB. */
  bytes?: number;
  /** Age after which a closed segment is deleted; -1 keeps all. Default 7 days. */
  ms?: number;
  /** Size at which the active segment is closed and a new one started. Default 64 MiB. */
  segmentBytes?: number;
  /** How often retention runs (it also runs whenever a segment rolls). Default 60 s. */
  checkIntervalMs?: number;
}

export interface BrokerOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. Default 9092. */
  port?: number;
  /** Host clients are told to connect to. Default: the listen host, or the address a client connected to when listening on all interfaces. */
  advertisedHost?: string;
  /** Port clients are told to connect to. Default: the listening port. */
  advertisedPort?: number;
  /** Where topics and group offsets live; without it everything is in memory. */
  dataDir?: string;
  /** Partitions of auto-created topics and of CreateTopics with -1. Default 1. */
  defaultPartitions?: number;
  /** Create unknown topics on Metadata requests. Default true. */
  autoCreateTopics?: boolean;
  retention?: RetentionOptions;
  /** Larger request frames close the connection. Default 100 MiB. */
  maxFrameBytes?: number;
  /** Delay before the first generation of a new group completes, so members starting together share it. Default 50 ms. */
  groupInitialRebalanceDelayMs?: number;
  /** acks=1 and offset data is fsynced at least this often in the background. Default 1000 ms. */
  backgroundFlushMs?: number;
  /** Turns on SASL (every connection must authenticate) and ACLs, kept in `<dataDir>/acls.json`. */
  sasl?: SaslOptions;
  log?: BrokerLog;
  /** Called with the API's name for every request served (a metrics counter); it must not throw or block. */
  onRequest?: (api: string) => void;
}

export interface Broker {
  readonly host: string;
  readonly port: number;
  /** "host:port" to hand to clients. */
  readonly address: string;
  /** Stops listening, ends connections, flushes and closes files, releases the data directory. */
  close(): Promise<void>;
}

export const DEFAULTS = {
  host: "127.0.0.1",
  port: 9092,
  defaultPartitions: 1,
  maxFrameBytes: 100 * 1024 * 1024,
  groupInitialRebalanceDelayMs: 50,
  backgroundFlushMs: 1000,
  retentionBytes: 1024 * 1024 * 1024,
  retentionMs: 7 * 24 * 3600 * 1000,
  segmentBytes: 64 * 1024 * 1024,
  retentionCheckMs: 60_000,
  indexIntervalBytes: 4096,
} as const;
