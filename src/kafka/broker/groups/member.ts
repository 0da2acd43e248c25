/** A request held by the coordinator until it can be answered; `alive` is false once its connection closed. */
export interface Pending<T> {
  resolve(result: T): void;
  alive(): boolean;
  /** Calls `cb` if the connection closes while the request is still held. */
  whenLost?(cb: () => void): void;
}

/** A Pending that answers `resolve` and stops watching its connection once answered. */
export function holdRequest<T>(resolve: (r: T) => void, alive: () => boolean, onClose: (cb: () => void) => () => void): Pending<T> {
  let unregister = () => {};
  return {
    resolve: (r) => {
      unregister();
      resolve(r);
    },
    alive,
    whenLost: (cb) => {
      unregister = onClose(cb);
    },
  };
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Uint8Array }[];
}

export interface SyncResult {
  errorCode: number;
  assignment: Uint8Array;
}

export interface JoinRequest {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: { name: string; metadata: Uint8Array }[];
}

export const EMPTY = new Uint8Array(0);

/** One consumer in a group, with the join or sync request it is waiting on, if any. */
export class Member {
  assignment: Uint8Array = EMPTY;
  deadline = 0;
  join: Pending<JoinResult> | undefined;
  sync: Pending<SyncResult> | undefined;

  constructor(
    readonly id: string,
    public request: JoinRequest,
  ) {}

  touch(now: number): void {
    this.deadline = now + this.request.sessionTimeoutMs;
  }

  /** Waiting on a join or sync whose connection is open counts as alive, as in Kafka. */
  awaiting(): boolean {
    return (this.join?.alive() ?? false) || (this.sync?.alive() ?? false);
  }

  metadataFor(protocol: string): Uint8Array {
    return this.request.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY;
  }

  sameProtocols(other: JoinRequest): boolean {
    const mine = this.request.protocols;
    return (
      mine.length === other.protocols.length &&
      mine.every((p, i) => p.name === other.protocols[i]!.name && Buffer.from(p.metadata).equals(other.protocols[i]!.metadata))
    );
  }
}
