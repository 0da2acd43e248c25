import { afterAll, describe, expect, test } from "bun:test";
import { appendFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startBroker, silentLog } from "../../../src/kafka/broker/index.ts";
import { inspectBatch, setBatchBaseOffset, type BatchInfo } from "../../../src/kafka/broker/protocol/records.ts";
import { FileLog, type FileLogConfig } from "../../../src/kafka/broker/storage/file-log.ts";
import { Flusher } from "../../../src/kafka/broker/storage/flusher.ts";
import { OffsetsStore } from "../../../src/kafka/broker/storage/offsets-store.ts";
import { buildBatch, decodeBatches } from "./helpers/record-batch.ts";
import { tempDir } from "./helpers/temp-dir.ts";

const dirs: { remove(): void }[] = [];
const newDir = (name: string) => {
  const d = tempDir(name);
  dirs.push(d);
  return d.path;
};
afterAll(() => {
  for (const d of dirs) d.remove();
});

const config: FileLogConfig = { segmentBytes: 64 * 1024 * 1024, indexIntervalBytes: 256, retentionBytes: -1, retentionMs: -1 };
const enc = (s: string) => new TextEncoder().encode(s);

function appendValues(log: FileLog, values: string[]): void {
  const batch = buildBatch(values.map((v) => ({ key: null, value: enc(v) })));
  setBatchBaseOffset(batch, log.nextOffset);
  log.append(batch, inspectBatch(batch) as BatchInfo);
}
const readValues = (log: FileLog, offset: number, maxBytes = 1 << 20) =>
  decodeBatches(Buffer.concat(log.read(offset, maxBytes))).map((r) => `${r.offset}:${new TextDecoder().decode(r.value!)}`);

describe("file log", () => {
  test("reopening keeps every batch and offset, and reads from disk match what was written", async () => {
    const dir = newDir("log-reopen");
    const log = new FileLog(dir, config, new Flusher());
    for (let i = 0; i < 50; i++) appendValues(log, [`a${i}`, `b${i}`]);
    await log.sync();
    log.close();
    const again = new FileLog(dir, config, new Flusher());
    expect(again.nextOffset).toBe(100);
    expect(readValues(again, 37).slice(0, 3)).toEqual(["36:a18", "37:b18", "38:a19"]);
    appendValues(again, ["after"]);
    expect(readValues(again, 100)).toEqual(["100:after"]);
    again.close();
  });

  test("a torn tail batch is truncated on open, and so is a tail with a bad CRC", () => {
    const dir = newDir("log-torn");
    const log = new FileLog(dir, config, new Flusher());
    for (let i = 0; i < 3; i++) appendValues(log, [`v${i}`]);
    log.close();
    const file = join(dir, "00000000000000000000.log");
    const good = statSync(file).size;
    const extra = buildBatch([{ key: null, value: enc("torn") }]);
    setBatchBaseOffset(extra, 3);
    appendFileSync(file, extra.subarray(0, extra.byteLength - 5));
    const reopened = new FileLog(dir, config, new Flusher());
    expect(reopened.nextOffset).toBe(3);
    expect(statSync(file).size).toBe(good);
    reopened.close();
    extra[extra.byteLength - 1]! ^= 0xff;
    appendFileSync(file, extra);
    const third = new FileLog(dir, config, new Flusher());
    expect(third.nextOffset).toBe(3);
    expect(readValues(third, 0)).toEqual(["0:v0", "1:v1", "2:v2"]);
    third.close();
  });

  test("a read limited by maxBytes still returns one whole batch and never a batch below the offset", () => {
    const dir = newDir("log-read");
    const log = new FileLog(dir, config, new Flusher());
    for (let i = 0; i < 200; i++) appendValues(log, [`x${i}`, `y${i}`, `z${i}`]);
    for (const offset of [0, 1, 2, 3, 301, 599]) {
      const got = readValues(log, offset, 1);
      expect(got.length).toBe(3);
      expect(Number(got.at(-1)!.split(":")[0])).toBeGreaterThanOrEqual(offset);
      expect(Number(got[0]!.split(":")[0])).toBe(offset - (offset % 3));
    }
    expect(log.read(600, 1000)).toEqual([]);
    log.close();
  });

  test("size retention deletes whole old segments and advances the log start", () => {
    const dir = newDir("log-retention");
    const log = new FileLog(dir, { ...config, segmentBytes: 1000, retentionBytes: 3000 }, new Flusher());
    for (let i = 0; i < 300; i++) appendValues(log, [`value-${i}`]);
    log.applyRetention(Date.now());
    const segments = readdirSync(dir).filter((f) => f.endsWith(".log"));
    expect(segments.length).toBeLessThanOrEqual(5);
    expect(log.sizeBytes).toBeLessThan(4000);
    expect(log.logStartOffset).toBeGreaterThan(0);
    expect(readValues(log, log.logStartOffset)[0]).toBe(`${log.logStartOffset}:value-${log.logStartOffset}`);
    log.close();
  });

  test("DeleteRecords' start offset is kept across reopening, removes the segments below it, and new limits apply", () => {
    const dir = newDir("log-delete-records");
    const log = new FileLog(dir, { ...config, segmentBytes: 500 }, new Flusher());
    for (let i = 0; i < 60; i++) appendValues(log, [`v${i}`]);
    const before = readdirSync(dir).filter((f) => f.endsWith(".log")).length;
    log.deleteRecordsBefore(41);
    expect(log.logStartOffset).toBe(41);
    const after = readdirSync(dir).filter((f) => f.endsWith(".log")).length;
    expect(after).toBeLessThan(before);
    log.deleteRecordsBefore(10); // never backwards
    expect(log.logStartOffset).toBe(41);
    log.close();
    const again = new FileLog(dir, { ...config, segmentBytes: 500 }, new Flusher());
    expect([again.logStartOffset, again.nextOffset]).toEqual([41, 60]);
    expect(readValues(again, 41)).toContain("41:v41");
    // Limits from a topic config replace the ones the log was opened with.
    again.configure({ segmentBytes: 64 * 1024 * 1024, retentionBytes: 0, retentionMs: -1, maxMessageBytes: 1 << 20, deletable: true });
    for (let i = 60; i < 70; i++) appendValues(again, [`v${i}`]);
    expect(readdirSync(dir).filter((f) => f.endsWith(".log")).length).toBe(after);
    again.applyRetention(Date.now());
    expect(readdirSync(dir).filter((f) => f.endsWith(".log")).length).toBe(1);
    again.deleteRecordsBefore(1_000);
    expect(again.logStartOffset).toBe(70);
    again.close();
    const third = new FileLog(dir, config, new Flusher());
    expect(third.logStartOffset).toBe(70);
    third.close();
  });

  test("age retention deletes closed segments older than the limit but keeps the active one", () => {
    const dir = newDir("log-age");
    const log = new FileLog(dir, { ...config, segmentBytes: 500, retentionMs: 1000 }, new Flusher());
    for (let i = 0; i < 50; i++) appendValues(log, [`old-${i}`]);
    log.applyRetention(Date.now() + 60_000);
    expect(readdirSync(dir).filter((f) => f.endsWith(".log")).length).toBe(1);
    expect(log.logStartOffset).toBeGreaterThan(0);
    expect(log.nextOffset).toBe(50);
    log.close();
  });
});

describe("committed offsets journal", () => {
  test("survives reopening and drops a torn last line", async () => {
    const file = join(newDir("offsets"), "offsets.jsonl");
    const store = new OffsetsStore(file, new Flusher());
    await store.commit("g", [{ topic: "t", partition: 0, offset: 5, leaderEpoch: -1, metadata: null }]);
    await store.commit("g", [{ topic: "t", partition: 0, offset: 9, leaderEpoch: -1, metadata: "m" }]);
    store.close();
    appendFileSync(file, '{"g":"g","t":"t","p":0,"o":99');
    const again = new OffsetsStore(file, new Flusher());
    expect(again.get("g", "t", 0)).toEqual({ offset: 9, leaderEpoch: -1, metadata: "m" });
    await again.deleteGroup("g");
    again.close();
    expect(new OffsetsStore(file).get("g", "t", 0)).toBeUndefined();
  });

  test("deleting some partitions' offsets survives reopening; a group left with none is forgotten", async () => {
    const file = join(newDir("offsets-drop"), "offsets.jsonl");
    const store = new OffsetsStore(file, new Flusher());
    const at = (topic: string, partition: number, offset: number) => ({ topic, partition, offset, leaderEpoch: -1, metadata: null });
    await store.commit("g", [at("a", 0, 1), at("a", 1, 2), at("b", 0, 3)]);
    await store.commit("other", [at("a", 0, 7)]);
    await store.deletePartitions("g", [{ topic: "a", partition: 1 }, { topic: "b", partition: 0 }, { topic: "never", partition: 0 }]);
    store.close();
    const again = new OffsetsStore(file, new Flusher());
    expect([again.get("g", "a", 0)?.offset, again.get("g", "a", 1), again.get("g", "b", 0), again.get("other", "a", 0)?.offset]).toEqual([1, undefined, undefined, 7]);
    expect([...again.topics("g").keys()]).toEqual(["a"]);
    await again.deletePartitions("g", [{ topic: "a", partition: 0 }]);
    expect(again.groups()).toEqual(["other"]);
    again.close();
    expect(new OffsetsStore(file).groups()).toEqual(["other"]);
  });
});

describe("data directory lock", () => {
  test("a second broker on a directory in use refuses to start; a stale lock is taken over", async () => {
    const dir = newDir("lock");
    const first = await startBroker({ port: 0, dataDir: dir, log: silentLog });
    await expect(startBroker({ port: 0, dataDir: dir, log: silentLog })).rejects.toThrow(/in use/);
    await first.close();
    // A pid that cannot be running: the lock is stale and the next start takes it over.
    writeFileSync(join(dir, "broker.lock"), "999999999");
    const second = await startBroker({ port: 0, dataDir: dir, log: silentLog });
    await second.close();
  });
});
