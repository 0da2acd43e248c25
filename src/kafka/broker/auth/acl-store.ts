import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { type AclBinding, type AclFilter, filterMatches, sameBinding } from "./acl.ts";

/**
 * The broker's ACLs. With a data directory they live in `acls.json`, rewritten (write, fsync, rename) on
 * every change, so an acknowledged CreateAcls or DeleteAcls survives a crash.
 */
export class AclStore {
  private bindings: AclBinding[] = [];

  constructor(private readonly path: string | null) {
    if (path && existsSync(path)) this.bindings = (JSON.parse(readFileSync(path, "utf8")) as { acls: AclBinding[] }).acls;
  }

  all(): readonly AclBinding[] {
    return this.bindings;
  }

  matching(filter: AclFilter): AclBinding[] {
    return this.bindings.filter((b) => filterMatches(filter, b));
  }

  /** Adds bindings not present yet (creating an existing ACL succeeds, as in Kafka). */
  add(bindings: readonly AclBinding[]): void {
    const fresh = bindings.filter((b, i) => !this.bindings.some((x) => sameBinding(x, b)) && bindings.findIndex((x) => sameBinding(x, b)) === i);
    if (fresh.length === 0) return;
    this.bindings = [...this.bindings, ...fresh];
    this.persist();
  }

  /** Removes every binding matching one of the filters; returns the removed ones per filter. */
  remove(filters: readonly AclFilter[]): AclBinding[][] {
    const removed = filters.map((f) => this.bindings.filter((b) => filterMatches(f, b)));
    const doomed = new Set(removed.flat());
    if (doomed.size === 0) return removed;
    this.bindings = this.bindings.filter((b) => !doomed.has(b));
    this.persist();
    return removed;
  }

  private persist(): void {
    if (!this.path) return;
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ acls: this.bindings }, null, 1));
    const fd = openSync(tmp, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
