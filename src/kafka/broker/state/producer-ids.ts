import { existsSync, openSync, closeSync, fsyncSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Ids are reserved on disk this many at a time, so handing one out rarely touches the disk. */
const BLOCK = 1000;

/**
 * Hands out producer ids that are never reused, not even after a restart or a crash: the end of the
 * reserved block is on disk before any id of it is given, as Kafka's producer-id blocks are. A reused id
 * would make a new producer's first batch look like a retry of an old one.
 */
export class ProducerIds {
  private next: number;
  private reservedUntil: number;

  constructor(private readonly path: string | null) {
    const stored = path && existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as { reservedUntil: number }).reservedUntil : 0;
    this.next = stored;
    this.reservedUntil = stored;
  }

  take(): number {
    if (this.next >= this.reservedUntil) this.reserve(this.next + BLOCK);
    return this.next++;
  }

  private reserve(until: number): void {
    this.reservedUntil = until;
    if (!this.path) return;
    writeFileSync(`${this.path}.tmp`, JSON.stringify({ reservedUntil: until }));
    const fd = openSync(`${this.path}.tmp`, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(`${this.path}.tmp`, this.path);
    const dir = openSync(dirname(this.path), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }
}
