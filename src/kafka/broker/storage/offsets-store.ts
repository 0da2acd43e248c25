import { closeSync, existsSync, fdatasync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { fsyncDir } from "./file-log.ts";
import type { Flusher } from "./flusher.ts";

export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}
export interface OffsetEntry extends CommittedOffset {
  topic: string;
  partition: number;
}

/** One journal entry: a commit, a whole group's deletion (`del`) or one partition's deletion (`drop`). */
type Line = { g: string; t?: string; p?: number; o?: number; e?: number; m?: string | null; del?: 1; drop?: 1 };

/**
 * Committed group offsets: a map in memory and, with a data directory, an append-only journal of JSON
 * lines that is fsynced (group-committed) before a commit is acknowledged. A torn last line from a crash
 * is dropped on open; the journal is rewritten as a snapshot when it grows well past the live entries.
 */
export class OffsetsStore {
  private readonly byGroup = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  private fd = -1;
  private size = 0;
  private lines = 0;
  private live = 0;

  constructor(
    private readonly file?: string,
    private readonly flusher?: Flusher,
  ) {
    if (!file) return;
    const text = existsSync(file) ? readFileSync(file, "utf8") : "";
    let valid = 0;
    for (const line of text.split("\n").slice(0, -1)) {
      try {
        this.apply(JSON.parse(line) as Line);
      } catch {
        break;
      }
      valid += Buffer.byteLength(line) + 1;
      this.lines++;
    }
    this.fd = openSync(file, existsSync(file) ? "r+" : "w+");
    ftruncateSync(this.fd, valid);
    this.size = valid;
  }

  private apply(l: Line): void {
    if (l.del) {
      this.live -= [...(this.byGroup.get(l.g)?.values() ?? [])].reduce((n, m) => n + m.size, 0);
      this.byGroup.delete(l.g);
      return;
    }
    if (l.drop) {
      const topics = this.byGroup.get(l.g);
      const parts = topics?.get(l.t!);
      if (parts?.delete(l.p!)) this.live--;
      if (parts?.size === 0) topics!.delete(l.t!);
      // A group left with no offsets is forgotten, as one whose offsets all expired.
      if (topics?.size === 0) this.byGroup.delete(l.g);
      return;
    }
    const topics = this.byGroup.get(l.g) ?? new Map<string, Map<number, CommittedOffset>>();
    this.byGroup.set(l.g, topics);
    const parts = topics.get(l.t!) ?? new Map<number, CommittedOffset>();
    topics.set(l.t!, parts);
    if (!parts.has(l.p!)) this.live++;
    parts.set(l.p!, { offset: l.o!, leaderEpoch: l.e ?? -1, metadata: l.m ?? null });
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.byGroup.get(group)?.get(topic)?.get(partition);
  }
  topics(group: string): Map<string, Map<number, CommittedOffset>> {
    return this.byGroup.get(group) ?? new Map();
  }
  groups(): string[] {
    return [...this.byGroup.keys()];
  }

  /** Resolves once the commit is durable (at once without a data directory). */
  commit(group: string, entries: OffsetEntry[]): Promise<void> {
    const lines = entries.map((e): Line => ({ g: group, t: e.topic, p: e.partition, o: e.offset, e: e.leaderEpoch, m: e.metadata }));
    return this.record(lines);
  }

  /** Forgets a group's committed offsets for these partitions; resolves once that is durable. */
  deletePartitions(group: string, partitions: { topic: string; partition: number }[]): Promise<void> {
    return this.record(partitions.filter((x) => this.get(group, x.topic, x.partition) !== undefined).map((x): Line => ({ g: group, t: x.topic, p: x.partition, drop: 1 })));
  }

  deleteGroup(group: string): Promise<void> {
    return this.record([{ g: group, del: 1 }]);
  }

  private record(lines: Line[]): Promise<void> {
    for (const l of lines) this.apply(l);
    if (this.fd < 0 || lines.length === 0) return Promise.resolve();
    const bytes = Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(this.fd, bytes, done, bytes.byteLength - done, this.size + done);
    this.size += bytes.byteLength;
    this.lines += lines.length;
    if (this.lines > 10_000 && this.lines > 4 * this.live) this.compact();
    return this.flusher ? this.flusher.request(this) : Promise.resolve();
  }

  private compact(): void {
    const tmp = `${this.file}.tmp`;
    const out: string[] = [];
    for (const [g, topics] of this.byGroup)
      for (const [t, parts] of topics)
        for (const [p, c] of parts) out.push(`${JSON.stringify({ g, t, p, o: c.offset, e: c.leaderEpoch, m: c.metadata })}\n`);
    const fd = openSync(tmp, "w");
    const bytes = Buffer.from(out.join(""));
    writeSync(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.file!);
    fsyncDir(dirname(this.file!));
    closeSync(this.fd);
    this.fd = openSync(this.file!, "r+");
    this.size = bytes.byteLength;
    this.lines = out.length;
  }

  sync(): Promise<void> {
    const fd = this.fd;
    // EBADF: the journal was compacted meanwhile, and the snapshot that replaced it is already synced.
    return new Promise((resolve, reject) => fdatasync(fd, (err) => (err && err.code !== "EBADF" ? reject(err) : resolve())));
  }

  close(): void {
    if (this.fd < 0) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
}
