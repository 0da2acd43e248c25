import { ErrorCode } from "../protocol/errors.ts";
import type { OffsetsStore } from "../storage/offsets-store.ts";
import type { BrokerLog } from "../log.ts";
import { Group } from "./group.ts";
import type { GroupStore } from "./group-store.ts";
import type { JoinRequest, JoinResult, Pending, SyncResult } from "./member.ts";

export interface CoordinatorConfig {
  initialRebalanceDelayMs: number;
  /** How often sessions are checked for expiry. */
  sessionCheckIntervalMs: number;
}

/** Owner of every consumer group on this broker (it coordinates them all) and of their committed offsets. */
export class Coordinator {
  private readonly groups = new Map<string, Group>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(
    readonly offsets: OffsetsStore,
    private readonly config: CoordinatorConfig,
    private readonly log: BrokerLog,
    private readonly store?: GroupStore,
  ) {
    const now = Date.now();
    for (const [id, saved] of store?.load() ?? []) this.ensure(id).restore(saved, now);
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const g of this.groups.values()) g.expire(now);
    }, config.sessionCheckIntervalMs);
    this.sweeper.unref?.();
  }

  group(id: string): Group | undefined {
    return this.groups.get(id);
  }

  private ensure(id: string): Group {
    let g = this.groups.get(id);
    if (!g) {
      g = new Group(id, {
        initialRebalanceDelayMs: this.config.initialRebalanceDelayMs,
        onRebalance: (group, reason) => this.log.info("group rebalancing", { group: group.id, reason, generation: group.generation }),
        onSettled: () => this.persist(),
      });
      this.groups.set(id, g);
    }
    return g;
  }

  join(groupId: string, req: JoinRequest, requireKnownId: boolean, reply: Pending<JoinResult>): void {
    this.ensure(groupId).join(req, requireKnownId, reply);
  }

  sync(groupId: string, memberId: string, generation: number, assignments: Map<string, Uint8Array>, reply: Pending<SyncResult>): void {
    const g = this.groups.get(groupId);
    if (!g) return reply.resolve({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: new Uint8Array(0) });
    g.sync(memberId, generation, assignments, reply);
  }

  heartbeat(groupId: string, memberId: string, generation: number): number {
    return this.groups.get(groupId)?.heartbeat(memberId, generation) ?? ErrorCode.UNKNOWN_MEMBER_ID;
  }

  leave(groupId: string, memberId: string): number {
    return this.groups.get(groupId)?.leave(memberId, "left") ?? ErrorCode.UNKNOWN_MEMBER_ID;
  }

  commitCheck(groupId: string, memberId: string, generation: number): number {
    const g = this.groups.get(groupId);
    if (g) return g.commitCheck(memberId, generation);
    return generation < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
  }

  /** Groups with members or with committed offsets. */
  list(): { groupId: string; protocolType: string }[] {
    const ids = new Set([...this.groups.keys(), ...this.offsets.groups()]);
    return [...ids].map((groupId) => ({ groupId, protocolType: this.groups.get(groupId)?.protocolType ?? "consumer" }));
  }

  async delete(groupId: string): Promise<number> {
    const g = this.groups.get(groupId);
    if (g && g.members.size > 0) return ErrorCode.NON_EMPTY_GROUP;
    if (!g && !this.offsets.groups().includes(groupId)) return ErrorCode.GROUP_ID_NOT_FOUND;
    g?.close();
    this.groups.delete(groupId);
    this.persist();
    await this.offsets.deleteGroup(groupId);
    return ErrorCode.NONE;
  }

  private persist(): void {
    if (!this.store) return;
    try {
      this.store.save(new Map([...this.groups].map(([id, g]) => [id, g.snapshot()])));
    } catch (e) {
      this.log.warn("group membership not saved", { error: String(e) });
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const g of this.groups.values()) g.close();
  }
}
