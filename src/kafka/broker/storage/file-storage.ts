import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { FileLog, fsyncDir, writeFileDurably, type FileLogConfig } from "./file-log.ts";
import type { Flusher } from "./flusher.ts";
import type { LogStorage, PartitionLog, StoredTopic, TopicMeta } from "./log.ts";

const MARKER = "topic.json";

/** `topic.json`; the id and the configs are absent in data directories written before topics had them. */
interface Marker {
  readonly partitions: number;
  readonly id?: string;
  readonly configs?: Record<string, string>;
}

/**
 * Topics as directories `topics/<name>/<partition>/` under the data directory. A topic exists once its
 * `topic.json` marker (partition count, id and config overrides) is in place, written last and by rename,
 * so a creation or a partition increase cut short by a crash leaves nothing half-made behind: partition
 * directories beyond the marker's count are removed on start.
 */
export class FileStorage implements LogStorage {
  readonly durable = true;
  readonly location: string;
  private readonly root: string;

  constructor(
    dataDir: string,
    private readonly config: FileLogConfig,
    private readonly flusher: Flusher,
  ) {
    this.location = resolve(dataDir);
    this.root = join(dataDir, "topics");
    mkdirSync(this.root, { recursive: true });
  }

  loadTopics(): Map<string, StoredTopic> {
    const topics = new Map<string, StoredTopic>();
    for (const name of readdirSync(this.root)) {
      const dir = join(this.root, name);
      if (!existsSync(join(dir, MARKER))) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      const marker = JSON.parse(readFileSync(join(dir, MARKER), "utf8")) as Marker;
      for (const entry of readdirSync(dir))
        if (/^\d+$/.test(entry) && Number(entry) >= marker.partitions) rmSync(join(dir, entry), { recursive: true, force: true });
      const meta: TopicMeta = { partitions: marker.partitions, id: marker.id ?? randomUUID(), configs: marker.configs ?? {} };
      // Topics created before ids existed get one now, kept from then on.
      if (!marker.id) this.saveTopic(name, meta);
      topics.set(name, { id: meta.id, logs: this.open(name, 0, meta.partitions), configs: meta.configs });
    }
    return topics;
  }

  private open(name: string, from: number, to: number): PartitionLog[] {
    return Array.from({ length: to - from }, (_, i) => new FileLog(join(this.root, name, String(from + i)), this.config, this.flusher));
  }

  saveTopic(name: string, meta: TopicMeta): void {
    const marker: Marker = { partitions: meta.partitions, id: meta.id, configs: meta.configs };
    writeFileDurably(join(this.root, name, MARKER), JSON.stringify(marker));
  }

  createTopic(name: string, meta: TopicMeta): PartitionLog[] {
    mkdirSync(join(this.root, name), { recursive: true });
    const logs = this.open(name, 0, meta.partitions);
    this.saveTopic(name, meta);
    fsyncDir(this.root);
    return logs;
  }

  addPartitions(name: string, from: number, meta: TopicMeta): PartitionLog[] {
    const logs = this.open(name, from, meta.partitions);
    this.saveTopic(name, meta);
    return logs;
  }

  deleteTopic(name: string, logs: PartitionLog[]): void {
    for (const log of logs) log.destroy();
    const doomed = join(this.root, `.deleting-${name}-${Date.now()}`);
    renameSync(join(this.root, name), doomed);
    fsyncDir(this.root);
    rmSync(doomed, { recursive: true, force: true });
  }

  producerStatePath(topic: string, partition: number): string {
    return join(this.root, topic, String(partition), "producer-state.json");
  }

  close(): void {}
}
