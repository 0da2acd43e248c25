/** Something whose pending writes can be made durable with one fsync. */
export interface Syncable {
  sync(): Promise<void>;
}

/**
 * Group commit. Callers that need durability register the file they wrote; one round of fsyncs covers
 * every write made before the round started, and the requests that arrive while a round runs share the
 * next one. So under load one fsync acknowledges many produce requests instead of one each.
 */
export class Flusher {
  private dirty = new Set<Syncable>();
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private running = false;
  rounds = 0;

  request(file: Syncable): Promise<void> {
    this.dirty.add(file);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running || this.waiters.length === 0) return;
    this.running = true;
    const files = [...this.dirty];
    const waiters = this.waiters;
    this.dirty = new Set();
    this.waiters = [];
    this.rounds++;
    Promise.all(files.map((f) => f.sync())).then(
      () => this.finish(waiters, null),
      (err: unknown) => this.finish(waiters, err ?? new Error("fsync failed")),
    );
  }

  private finish(waiters: typeof this.waiters, err: unknown): void {
    for (const w of waiters) err ? w.reject(err) : w.resolve();
    this.running = false;
    this.kick();
  }

  /** Resolves once no round is running or queued. */
  async drain(): Promise<void> {
    while (this.running || this.waiters.length > 0) await new Promise((r) => setTimeout(r, 1));
  }
}
