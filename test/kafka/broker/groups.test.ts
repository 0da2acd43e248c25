import { describe, expect, test } from "bun:test";
import { Group } from "../../../src/kafka/broker/groups/group.ts";
import type { JoinRequest, JoinResult, SyncResult } from "../../../src/kafka/broker/groups/member.ts";

const newGroup = (initialRebalanceDelayMs = 0) => new Group("g", { initialRebalanceDelayMs, onRebalance() {}, onSettled() {} });
const request = (memberId: string, over: Partial<JoinRequest> = {}): JoinRequest => ({
  memberId, groupInstanceId: null, clientId: "c", clientHost: "h", sessionTimeoutMs: 300, rebalanceTimeoutMs: 300,
  protocolType: "consumer", protocols: [{ name: "range", metadata: new Uint8Array([1]) }], ...over,
});
function join(g: Group, req: JoinRequest, v4 = true): Promise<JoinResult> {
  return new Promise((resolve) => g.join(req, v4, { resolve, alive: () => true }));
}
function sync(g: Group, memberId: string, generation: number, assignments: [string, number][] = []): Promise<SyncResult> {
  return new Promise((resolve) => g.sync(memberId, generation, new Map(assignments.map(([m, b]) => [m, new Uint8Array([b])])), { resolve, alive: () => true }));
}

describe("group membership", () => {
  test("JoinGroup v4 without a member id is answered with MEMBER_ID_REQUIRED and a usable id", async () => {
    const g = newGroup();
    const first = await join(g, request(""));
    expect(first.errorCode).toBe(79);
    expect(first.memberId).not.toBe("");
    const second = await join(g, request(first.memberId));
    expect(second).toMatchObject({ errorCode: 0, generationId: 1, leader: first.memberId, protocolName: "range" });
    expect(second.members.map((m) => m.memberId)).toEqual([first.memberId]);
    const unknown = await join(g, request("made-up"));
    expect(unknown.errorCode).toBe(25);
    g.close();
  });

  test("a second member triggers a rebalance: heartbeats say 27, both rejoin, only the leader gets the member list", async () => {
    const g = newGroup();
    const a = await join(g, request(""), false);
    await sync(g, a.memberId, 1, [[a.memberId, 7]]);
    const bJoin = join(g, request(""), false);
    expect(g.heartbeat(a.memberId, 1)).toBe(27);
    const aJoin = join(g, request(a.memberId), false);
    const [ra, rb] = await Promise.all([aJoin, bJoin]);
    expect(ra.generationId).toBe(2);
    expect(rb.generationId).toBe(2);
    expect(ra.members.length).toBe(2);
    expect(rb.members.length).toBe(0);
    const followerSync = sync(g, rb.memberId, 2);
    const leaderSync = await sync(g, ra.memberId, 2, [[ra.memberId, 1], [rb.memberId, 2]]);
    expect([...leaderSync.assignment]).toEqual([1]);
    expect([...(await followerSync).assignment]).toEqual([2]);
    expect(g.heartbeat(rb.memberId, 1)).toBe(22);
    expect(g.heartbeat(rb.memberId, 2)).toBe(0);
    g.close();
  });

  test("a member that does not rejoin within the rebalance timeout is dropped", async () => {
    const g = newGroup();
    const a = await join(g, request(""), false);
    await sync(g, a.memberId, 1);
    const b = await join(g, request(""), false);
    expect(b.generationId).toBe(2);
    expect(b.leader).toBe(b.memberId);
    expect(b.members.map((m) => m.memberId)).toEqual([b.memberId]);
    expect(g.members.has(a.memberId)).toBe(false);
    g.close();
  });

  test("session expiry removes a silent member and the survivor's next generation holds it alone", async () => {
    const g = newGroup(50);
    const aP = join(g, request(""), false);
    const bP = join(g, request(""), false);
    const [a, b] = await Promise.all([aP, bP]);
    expect(a.generationId).toBe(1);
    const leader = a.members.length ? a : b;
    const follower = leader === a ? b : a;
    await Promise.all([sync(g, follower.memberId, 1), sync(g, leader.memberId, 1)]);
    await Bun.sleep(30);
    expect(g.heartbeat(leader.memberId, 1)).toBe(0);
    // Just before the leader's refreshed session lapses, the follower's (not refreshed) already has.
    g.expire(g.members.get(leader.memberId)!.deadline - 1);
    expect(g.members.has(follower.memberId)).toBe(false);
    expect(g.heartbeat(leader.memberId, 1)).toBe(27);
    const again = await join(g, request(leader.memberId), false);
    expect(again.generationId).toBe(2);
    expect(again.members.map((m) => m.memberId)).toEqual([leader.memberId]);
    g.close();
  });

  test("commits: simple consumers are accepted, stale generations and rebalances are not", async () => {
    const g = newGroup();
    expect(g.commitCheck("", -1)).toBe(0);
    const a = await join(g, request(""), false);
    expect(g.commitCheck(a.memberId, 1)).toBe(27);
    await sync(g, a.memberId, 1);
    expect(g.commitCheck(a.memberId, 1)).toBe(0);
    expect(g.commitCheck(a.memberId, 0)).toBe(22);
    expect(g.commitCheck("nobody", 1)).toBe(25);
    expect(g.leave(a.memberId, "left")).toBe(0);
    expect(g.state).toBe("Empty");
    g.close();
  });

  test("a member whose connection drops while its join is held is removed at once, not after the rebalance timeout", async () => {
    const g = newGroup();
    const slow = { rebalanceTimeoutMs: 600_000 };
    const a = await join(g, request("", slow), false);
    await sync(g, a.memberId, 1);
    let lost = () => {};
    const b = join(g, request("", slow), false);
    // a rejoins on a connection that then closes; b must not wait ten minutes for it.
    g.join(request(a.memberId, slow), false, { resolve() {}, alive: () => false, whenLost: (cb) => void (lost = cb) });
    lost();
    const rb = await b;
    expect(rb.generationId).toBe(2);
    expect(rb.members.map((m) => m.memberId)).toEqual([rb.memberId]);
    g.close();
  });

  test("members must share a protocol", async () => {
    const g = newGroup();
    await join(g, request(""), false);
    const other = await join(g, request("", { protocols: [{ name: "roundrobin", metadata: new Uint8Array() }] }), false);
    expect(other.errorCode).toBe(23);
    g.close();
  });
});
