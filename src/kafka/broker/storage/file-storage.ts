import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { FileLog, fsyncDir, type FileLogConfig } from "./file-log.ts";
import type { Flusher } from "./flusher.ts";
import type { LogStorage, PartitionLog, StoredTopic } from "./log.ts";

const MARKER = "topic.json";

/** `topic.json`: the partition count and the topic's id. */
interface TopicMarker {
  readonly partitions: number;
  readonly id?: string;
}

/**
 * Topics as directories `topics/<name>/<partition>/` under the data directory. A topic exists once its
 * `topic.json` marker is in place (written last, by rename), so a creation cut short by a crash leaves
 * nothing half-made behind.
 */
export class FileStorage implements LogStorage {
  readonly durable = true;
  private readonly root: string;

  constructor(
    dataDir: string,
    private readonly config: FileLogConfig,
    private readonly flusher: Flusher,
  ) {
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
      const marker = JSON.parse(readFileSync(join(dir, MARKER), "utf8")) as TopicMarker;
      // Topics created before ids existed get one now, kept from then on.
      const id = marker.id ?? randomUUID();
      if (!marker.id) this.writeMarker(dir, { ...marker, id });
      topics.set(name, { id, logs: this.open(name, marker.partitions) });
    }
    return topics;
  }

  private writeMarker(dir: string, marker: TopicMarker): void {
    writeFileSync(join(dir, `${MARKER}.tmp`), JSON.stringify(marker));
    renameSync(join(dir, `${MARKER}.tmp`), join(dir, MARKER));
    fsyncDir(dir);
  }

  private open(name: string, partitions: number): PartitionLog[] {
    return Array.from({ length: partitions }, (_, p) => new FileLog(join(this.root, name, String(p)), this.config, this.flusher));
  }

  createTopic(name: string, partitions: number, id: string): PartitionLog[] {
    const dir = join(this.root, name);
    mkdirSync(dir, { recursive: true });
    const logs = this.open(name, partitions);
    this.writeMarker(dir, { partitions, id });
    fsyncDir(this.root);
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
