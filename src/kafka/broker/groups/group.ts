import { randomUUID } from "node:crypto";
import { ErrorCode } from "../protocol/errors.ts";
import type { SavedGroup } from "./group-store.ts";
import { chooseProtocol } from "./vote.ts";
import { EMPTY, Member, type JoinRequest, type JoinResult, type Pending, type SyncResult } from "./member.ts";

export type GroupState = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable";

export interface GroupConfig {
  /** Wait this long after the first join of an empty group so that members starting together join one generation. */
  initialRebalanceDelayMs: number;
  onRebalance(group: Group, reason: string): void;
  /** The group became stable or empty: the moment its membership is worth keeping. */
  onSettled(group: Group): void;
}

const failJoin = (errorCode: number, memberId: string): JoinResult => ({ errorCode, generationId: -1, protocolName: "", leader: "", memberId, members: [] });

/**
 * One consumer group's membership state machine (Kafka's classic protocol): joins are held until every
 * member has rejoined or the rebalance timeout drops the rest; the leader's SyncGroup releases everyone's
 * assignment; sessions expire without heartbeats.
 */
export class Group {
  state: GroupState = "Empty";
  generation = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leader: string | null = null;
  readonly members = new Map<string, Member>();
  /** Ids handed out with MEMBER_ID_REQUIRED and the time they lapse if not used. */
  private readonly pendingIds = new Map<string, number>();
  private joinDeadline = 0;
  private delayUntil = 0;
  private rebalanceStarted = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly id: string,
    private readonly config: GroupConfig,
  ) {}

  /** Picks up where a previous broker left the group: same generation, members and assignments, stable. */
  restore(saved: SavedGroup, now: number): void {
    this.generation = saved.generation;
    this.protocolType = saved.protocolType;
    this.protocolName = saved.protocolName;
    this.leader = saved.leader;
    for (const m of saved.members) {
      const member = new Member(m.request.memberId, m.request);
      member.assignment = m.assignment;
      member.touch(now);
      this.members.set(member.id, member);
    }
    this.state = this.members.size > 0 ? "Stable" : "Empty";
  }

  snapshot(): SavedGroup {
    return {
      generation: this.generation,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leader,
      members: [...this.members.values()].map((m) => ({ request: m.request, assignment: m.assignment })),
    };
  }

  join(req: JoinRequest, requireKnownId: boolean, reply: Pending<JoinResult>): void {
    const now = Date.now();
    if (!req.protocolType || req.protocols.length === 0 || !this.compatible(req)) {
      return reply.resolve(failJoin(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    }
    let id = req.memberId;
    if (id === "") {
      id = `${req.clientId || "member"}-${randomUUID()}`;
      if (requireKnownId && req.groupInstanceId === null) {
        this.pendingIds.set(id, now + req.sessionTimeoutMs);
        return reply.resolve(failJoin(ErrorCode.MEMBER_ID_REQUIRED, id));
      }
    } else if (!this.members.has(id) && !this.pendingIds.has(id)) {
      return reply.resolve(failJoin(ErrorCode.UNKNOWN_MEMBER_ID, id));
    }
    this.pendingIds.delete(id);
    const existing = this.members.get(id);
    if (existing && existing.sameProtocols(req) && (this.state === "CompletingRebalance" || (this.state === "Stable" && id !== this.leader))) {
      // Nothing changed for this member: answer with the current generation instead of rebalancing.
      existing.touch(now);
      return reply.resolve(this.joinResult(existing));
    }
    const member = existing ?? new Member(id, req);
    member.request = req;
    member.join?.resolve(failJoin(ErrorCode.UNKNOWN_MEMBER_ID, id)); // superseded by this join
    member.join = reply;
    member.touch(now);
    // A member whose connection dies mid-rebalance would otherwise hold everyone up to the rebalance timeout.
    reply.whenLost?.(() => {
      if (member.join === reply) this.leave(id, "disconnected while joining");
    });
    if (!existing) {
      this.members.set(id, member);
      if (this.protocolType === null) this.protocolType = req.protocolType;
      // Kafka's initial delayed join: while a new group waits, each newcomer extends the wait (up to
      // the rebalance timeout), so members starting together share one generation.
      if (this.state === "PreparingRebalance" && this.delayUntil > 0) {
        this.delayUntil = Math.min(now + this.config.initialRebalanceDelayMs, this.rebalanceStarted + req.rebalanceTimeoutMs);
      }
    }
    this.prepareRebalance(existing ? `member ${id} rejoined` : `member ${id} joined`);
    this.maybeCompleteJoin();
  }

  private compatible(req: JoinRequest): boolean {
    if (this.members.size === 0 || (this.members.size === 1 && this.members.has(req.memberId))) return true;
    if (req.protocolType !== this.protocolType) return false;
    return req.protocols.some((p) => [...this.members.values()].every((m) => m.id === req.memberId || m.request.protocols.some((q) => q.name === p.name)));
  }

  private joinResult(m: Member): JoinResult {
    const protocolName = this.protocolName ?? "";
    const members = m.id === this.leader ? [...this.members.values()].map((x) => ({ memberId: x.id, groupInstanceId: x.request.groupInstanceId, metadata: x.metadataFor(protocolName) })) : [];
    return { errorCode: ErrorCode.NONE, generationId: this.generation, protocolName, leader: this.leader ?? "", memberId: m.id, members };
  }

  private prepareRebalance(reason: string): void {
    if (this.state === "PreparingRebalance") return;
    for (const m of this.members.values()) {
      m.sync?.resolve({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      m.sync = undefined;
    }
    const now = Date.now();
    this.delayUntil = this.state === "Empty" ? now + this.config.initialRebalanceDelayMs : 0;
    this.rebalanceStarted = now;
    this.joinDeadline = now + Math.max(0, ...[...this.members.values()].map((m) => m.request.rebalanceTimeoutMs));
    this.state = "PreparingRebalance";
    this.config.onRebalance(this, reason);
  }

  /** Completes the join phase once everyone rejoined (after the initial delay) or the deadline passed. */
  maybeCompleteJoin(): void {
    if (this.state !== "PreparingRebalance") return;
    clearTimeout(this.timer);
    const now = Date.now();
    const allJoined = [...this.members.values()].every((m) => m.join?.alive());
    const wakeAt = allJoined ? this.delayUntil : this.joinDeadline;
    if (now >= wakeAt) return this.completeJoin();
    this.timer = setTimeout(() => this.maybeCompleteJoin(), wakeAt - now + 1);
  }

  private completeJoin(): void {
    for (const m of [...this.members.values()]) if (!m.join?.alive()) this.members.delete(m.id);
    this.generation++;
    if (this.members.size === 0) {
      this.state = "Empty";
      this.protocolName = null;
      this.protocolType = null;
      this.leader = null;
      this.config.onSettled(this);
      return;
    }
    this.protocolName = chooseProtocol([...this.members.values()]);
    if (!this.leader || !this.members.has(this.leader)) this.leader = this.members.keys().next().value!;
    this.state = "CompletingRebalance";
    const now = Date.now();
    for (const m of this.members.values()) {
      const reply = m.join!;
      m.join = undefined;
      m.assignment = EMPTY;
      m.touch(now);
      reply.resolve(this.joinResult(m));
    }
  }

  sync(memberId: string, generation: number, assignments: Map<string, Uint8Array>, reply: Pending<SyncResult>): void {
    const m = this.members.get(memberId);
    const fail = (errorCode: number) => reply.resolve({ errorCode, assignment: EMPTY });
    if (!m) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (generation !== this.generation) return fail(ErrorCode.ILLEGAL_GENERATION);
    if (this.state === "PreparingRebalance") return fail(ErrorCode.REBALANCE_IN_PROGRESS);
    m.touch(Date.now());
    if (this.state === "Stable") return reply.resolve({ errorCode: ErrorCode.NONE, assignment: m.assignment });
    m.sync = reply;
    reply.whenLost?.(() => {
      if (m.sync === reply) this.leave(memberId, "disconnected while syncing");
    });
    if (memberId !== this.leader) return;
    for (const member of this.members.values()) member.assignment = assignments.get(member.id) ?? EMPTY;
    this.state = "Stable";
    for (const member of this.members.values()) {
      member.sync?.resolve({ errorCode: ErrorCode.NONE, assignment: member.assignment });
      member.sync = undefined;
    }
    this.config.onSettled(this);
  }

  heartbeat(memberId: string, generation: number): number {
    const m = this.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    m.touch(Date.now());
    if (generation !== this.generation) return ErrorCode.ILLEGAL_GENERATION;
    return this.state === "PreparingRebalance" ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** Whether a member may commit offsets now (generation -1 with no member id: a simple consumer). */
  commitCheck(memberId: string, generation: number): number {
    if (generation < 0 && memberId === "") return ErrorCode.NONE;
    const m = this.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generation !== this.generation) return ErrorCode.ILLEGAL_GENERATION;
    if (this.state !== "Stable") return ErrorCode.REBALANCE_IN_PROGRESS;
    m.touch(Date.now());
    return ErrorCode.NONE;
  }

  leave(memberId: string, reason: string): number {
    const m = this.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.members.delete(memberId);
    m.join?.resolve(failJoin(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    m.sync?.resolve({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    if (this.state === "Empty") return ErrorCode.NONE;
    this.prepareRebalance(`member ${memberId} ${reason}`);
    this.maybeCompleteJoin();
    return ErrorCode.NONE;
  }

  /** Drops members whose session lapsed without a heartbeat (and unused MEMBER_ID_REQUIRED ids). */
  expire(now: number): void {
    for (const [id, until] of this.pendingIds) if (now > until) this.pendingIds.delete(id);
    for (const m of [...this.members.values()]) if (now > m.deadline && !m.awaiting()) this.leave(m.id, "session expired");
  }

  close(): void {
    clearTimeout(this.timer);
  }
}
