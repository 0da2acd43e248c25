import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BrokerState } from "./apis/api.ts";
import { brokerConfigFrom } from "./config/broker-settings.ts";
import { securityFrom } from "./auth/setup.ts";
import { Coordinator } from "./groups/coordinator.ts";
import { GroupStore } from "./groups/group-store.ts";
import { consoleLog } from "./log.ts";
import { DEFAULTS, type Broker, type BrokerOptions } from "./options.ts";
import { apiRanges } from "./registry.ts";
import { Server } from "./server.ts";
import { ProducerIds } from "./state/producer-ids.ts";
import { Topics } from "./state/topics.ts";
import { lockDataDir } from "./storage/data-dir-lock.ts";
import { FileStorage } from "./storage/file-storage.ts";
import { Flusher } from "./storage/flusher.ts";
import type { LogStorage, PartitionLog } from "./storage/log.ts";
import { MemoryStorage } from "./storage/memory-log.ts";
import { OffsetsStore } from "./storage/offsets-store.ts";

/** Starts a single-node Kafka-protocol broker; in memory without `dataDir`, on disk with it. */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const log = options.log ?? consoleLog();
  const host = options.host ?? DEFAULTS.host;
  const flusher = new Flusher();
  let unlock = () => {};
  let storage: LogStorage = new MemoryStorage();
  let offsets = new OffsetsStore();
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    unlock = lockDataDir(options.dataDir);
    const r = options.retention ?? {};
    try {
      storage = new FileStorage(
        options.dataDir,
        {
          segmentBytes: r.segmentBytes ?? DEFAULTS.segmentBytes,
          indexIntervalBytes: DEFAULTS.indexIntervalBytes,
          retentionBytes: r.bytes ?? DEFAULTS.retentionBytes,
          retentionMs: r.ms ?? DEFAULTS.retentionMs,
        },
        flusher,
      );
      offsets = new OffsetsStore(join(options.dataDir, "group-offsets.jsonl"), flusher);
    } catch (e) {
      unlock();
      throw e;
    }
  }
  let listening = { host, port: options.port ?? DEFAULTS.port };
  const topics = new Topics(storage, options.defaultPartitions ?? DEFAULTS.defaultPartitions, brokerConfigFrom(options, () => listening));
  const groupStore = new GroupStore(options.dataDir ? join(options.dataDir, "groups.json") : null);
  const coordinator = new Coordinator(offsets, { initialRebalanceDelayMs: options.groupInitialRebalanceDelayMs ?? DEFAULTS.groupInitialRebalanceDelayMs, sessionCheckIntervalMs: 100 }, log, groupStore);
  const producerIds = new ProducerIds(options.dataDir ? join(options.dataDir, "producer-ids.json") : null);
  const state: BrokerState = {
    nodeId: 0,
    clusterId: "loyaltea-embedded",
    topics,
    coordinator,
    autoCreateTopics: options.autoCreateTopics ?? true,
    durable: storage.durable,
    log,
    apiRanges,
    nextProducerId: () => producerIds.take(),
    security: options.sasl ? securityFrom(options.sasl, options.dataDir) : null,
    onRequest: options.onRequest,
  };
  let server: Server;
  try {
    server = new Server({ host, port: options.port ?? DEFAULTS.port, advertisedHost: options.advertisedHost, advertisedPort: options.advertisedPort, maxFrameBytes: options.maxFrameBytes ?? DEFAULTS.maxFrameBytes }, state);
  } catch (e) {
    coordinator.close();
    topics.close();
    offsets.close();
    unlock();
    throw e;
  }
  const timers = storage.durable ? [backgroundFlush(topics, offsets, flusher, options.backgroundFlushMs ?? DEFAULTS.backgroundFlushMs), setInterval(() => topics.applyRetention(Date.now()), options.retention?.checkIntervalMs ?? DEFAULTS.retentionCheckMs)] : [];
  for (const t of timers) t.unref?.();
  const advertisedHost = options.advertisedHost ?? host;
  const port = server.port;
  listening = { host, port };
  log.info("broker listening", { host, port, dataDir: options.dataDir ?? null, topics: topics.names().length });
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    address: `${advertisedHost}:${options.advertisedPort ?? port}`,
    close: () =>
      (closing ??= (async () => {
        server.close();
        for (const t of timers) clearInterval(t);
        coordinator.close();
        await flusher.drain();
        topics.close();
        offsets.close();
        unlock();
        log.info("broker stopped", { port });
      })()),
  };
}

/** acks=1 data and everything else written since the last round reaches the disk within `everyMs`. */
function backgroundFlush(topics: Topics, offsets: OffsetsStore, flusher: Flusher, everyMs: number): ReturnType<typeof setInterval> {
  const synced = new Map<PartitionLog, number>();
  return setInterval(() => {
    for (const name of topics.names())
      for (const p of topics.get(name) ?? []) {
        const offset = p.log.nextOffset;
        if (synced.get(p.log) === offset) continue;
        synced.set(p.log, offset);
        p.log.sync().then(() => p.producers.save(offset)).catch(() => {});
      }
    flusher.request(offsets).catch(() => {});
  }, everyMs);
}
