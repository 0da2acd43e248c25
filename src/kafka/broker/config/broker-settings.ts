import { DEFAULTS, type BrokerOptions } from "../options.ts";
import { BrokerConfig, type BrokerSetting } from "./broker-config.ts";

/**
 * The broker's configs under Kafka's names, from its start-up options (explicit ones are static configs).
 * `listening` is read when described, since port 0 is only resolved once the server listens.
 */
export function brokerConfigFrom(options: BrokerOptions, listening: () => { host: string; port: number }): BrokerConfig {
  const r = options.retention ?? {};
  const listener = () => `PLAINTEXT://${listening().host}:${listening().port}`;
  const advertised = options.advertisedHost !== undefined || options.advertisedPort !== undefined;
  const settings: BrokerSetting[] = [
    { name: "broker.id", type: "INT", fallback: "0", documentation: "This single node's id; it is also the controller." },
    {
      name: "listeners",
      type: "LIST",
      get fallback() {
        return listener();
      },
      documentation: "Where the broker accepts connections (host and port options).",
    },
    {
      name: "advertised.listeners",
      type: "LIST",
      get fallback() {
        return listener();
      },
      get configured() {
        return advertised ? `PLAINTEXT://${options.advertisedHost ?? listening().host}:${options.advertisedPort ?? listening().port}` : undefined;
      },
      documentation: "The address Metadata hands to clients (advertised host and port options); by default the listener, or the address a client connected to when listening on all interfaces.",
    },
    { name: "log.dirs", type: "STRING", fallback: "", configured: options.dataDir, documentation: "The data directory; empty when everything is kept in memory." },
    { name: "num.partitions", type: "INT", fallback: String(DEFAULTS.defaultPartitions), configured: options.defaultPartitions, documentation: "Partitions of auto-created topics and of CreateTopics with -1." },
    { name: "auto.create.topics.enable", type: "BOOLEAN", fallback: "true", configured: options.autoCreateTopics, documentation: "Whether Metadata requests create unknown topics." },
    { name: "default.replication.factor", type: "INT", fallback: "1", documentation: "A single node has one replica of everything." },
    { name: "offsets.topic.replication.factor", type: "INT", fallback: "1", documentation: "Committed offsets are kept by this node alone." },
    { name: "min.insync.replicas", type: "INT", fallback: "1", documentation: "A single node has exactly one replica." },
    { name: "log.cleanup.policy", type: "LIST", fallback: "delete", documentation: "Default cleanup policy of topics." },
    { name: "log.retention.ms", type: "LONG", fallback: String(DEFAULTS.retentionMs), configured: r.ms, documentation: "Default age after which closed segments are deleted; -1 keeps everything." },
    { name: "log.retention.bytes", type: "LONG", fallback: String(DEFAULTS.retentionBytes), configured: r.bytes, documentation: "Default bytes kept per partition; -1 keeps everything." },
    { name: "log.segment.bytes", type: "INT", fallback: String(DEFAULTS.segmentBytes), configured: r.segmentBytes, documentation: "Default size at which a segment rolls." },
    { name: "log.retention.check.interval.ms", type: "LONG", fallback: String(DEFAULTS.retentionCheckMs), configured: r.checkIntervalMs, documentation: "How often retention runs (it also runs when a segment rolls)." },
    {
      name: "message.max.bytes",
      type: "INT",
      fallback: String(options.maxFrameBytes ?? DEFAULTS.maxFrameBytes),
      documentation: "Default largest record batch a topic accepts: the request frame limit unless a topic sets max.message.bytes.",
    },
    { name: "socket.request.max.bytes", type: "INT", fallback: String(DEFAULTS.maxFrameBytes), configured: options.maxFrameBytes, documentation: "Larger request frames close the connection." },
    { name: "compression.type", type: "STRING", fallback: "producer", documentation: "Batches are stored as the producer compressed them." },
    { name: "log.message.timestamp.type", type: "STRING", fallback: "CreateTime", documentation: "Records keep their producer's timestamps." },
    {
      name: "group.initial.rebalance.delay.ms",
      type: "INT",
      fallback: String(DEFAULTS.groupInitialRebalanceDelayMs),
      configured: options.groupInitialRebalanceDelayMs,
      documentation: "Delay before the first generation of a new group completes.",
    },
    { name: "log.flush.interval.ms", type: "LONG", fallback: String(DEFAULTS.backgroundFlushMs), configured: options.backgroundFlushMs, documentation: "acks=1 data and offsets are fsynced at least this often." },
  ];
  return new BrokerConfig(settings);
}
