import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { FileLog, fsyncDir, writeFileDurably, type FileLogConfig } from "./file-log.ts";
import type { Flusher } from "./flusher.ts";
import type { LogStorage, PartitionLog, StoredTopic } from "./log.ts";

const MARKER = "topic.json";

interface Marker {
  partitions: number;
  /** Config overrides (absent in data directories written before topics had configs). */
  configs?: Record<string, string>;
}

/**
 * Topics as directories `topics/<name>/<partition>/` under the data directory. A topic exists once its
 * `topic.json` marker (partition count and config overrides) is in place, written last and by rename, so
 * a creation or a partition increase cut short by a crash leaves nothing half-made behind: partition
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
      topics.set(name, { logs: this.open(name, 0, marker.partitions), configs: marker.configs ?? {} });
    }
    return topics;
  }

  private open(name: string, from: number, to: number): PartitionLog[] {
    return Array.from({ length: to - from }, (_, i) => new FileLog(join(this.root, name, String(from + i)), this.config, this.flusher));
  }

  private writeMarker(name: string, marker: Marker): void {
    writeFileDurably(join(this.root, name, MARKER), JSON.stringify(marker));
  }

  createTopic(name: string, partitions: number, configs: Record<string, string>): PartitionLog[] {
    mkdirSync(join(this.root, name), { recursive: true });
    const logs = this.open(name, 0, partitions);
    this.writeMarker(name, { partitions, configs });
    fsyncDir(this.root);
    return logs;
  }

  addPartitions(name: string, from: number, to: number, configs: Record<string, string>): PartitionLog[] {
    const logs = this.open(name, from, to);
    this.writeMarker(name, { partitions: to, configs });
    return logs;
  }

  saveConfigs(name: string, partitions: number, configs: Record<string, string>): void {
    this.writeMarker(name, { partitions, configs });
  }

  deleteTopic(name: string, logs: PartitionLog[]): void {
    for (const log of logs) log.destroy();
    const doomed = join(this.root, `.deleting-${name}-${Date.now()}`);
    renameSync(join(this.root, name), doomed);
    fsyncDir(this.root);
    rmSync(doomed, { recursive: true, force: true });
  }

  close(): void {}
}
