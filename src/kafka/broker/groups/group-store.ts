import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { JoinRequest } from "./member.ts";

/** A group as it was last settled: its generation, leader and members with their assignments. */
export interface SavedGroup {
  readonly generation: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leader: string | null;
  readonly members: readonly { readonly request: JoinRequest; readonly assignment: Uint8Array }[];
}

interface StoredMember {
  request: Omit<JoinRequest, "protocols"> & { protocols: { name: string; metadata: string }[] };
  assignment: string;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const bytes = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

/**
 * Group membership kept across broker restarts, as Kafka keeps it in `__consumer_offsets`: after a
 * restart the members carry on with the generation and member ids they had, instead of every one of
 * them being told the coordinator does not know it and rejoining one after another. Written, whole,
 * each time a group settles (stable or empty); a missing or torn file only costs a rebalance.
 */
export class GroupStore {
  constructor(private readonly path: string | null) {}

  load(): Map<string, SavedGroup> {
    const out = new Map<string, SavedGroup>();
    if (!this.path || !existsSync(this.path)) return out;
    let stored: Record<string, Omit<SavedGroup, "members"> & { members: StoredMember[] }>;
    try {
      stored = JSON.parse(readFileSync(this.path, "utf8"));
    } catch {
      return out;
    }
    for (const [id, g] of Object.entries(stored)) {
      out.set(id, {
        ...g,
        members: g.members.map((m) => ({ request: { ...m.request, protocols: m.request.protocols.map((p) => ({ name: p.name, metadata: bytes(p.metadata)})) }, assignment: bytes(m.assignment) })),
      });
    }
    return out;
  }

  save(groups: ReadonlyMap<string, SavedGroup>): void {
    if (!this.path) return;
    const stored: Record<string, unknown> = {};
    for (const [id, g] of groups) {
      if (g.members.length === 0) continue;
      stored[id] = {
        ...g,
        members: g.members.map((m) => ({ request: { ...m.request, protocols: m.request.protocols.map((p) => ({ name: p.name, metadata: b64(p.metadata) })) }, assignment: b64(m.assignment) })),
      };
    }
    writeFileSync(`${this.path}.tmp`, JSON.stringify(stored));
    renameSync(`${this.path}.tmp`, this.path);
  }
}
