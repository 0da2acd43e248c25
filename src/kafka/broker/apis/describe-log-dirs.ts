import { statfsSync } from "node:fs";
import { Operation } from "../auth/acl.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { array, bool, field, int16, int32, int64, message, nullableArray, string, struct } from "../protocol/schema.ts";
import { defineApi } from "./api.ts";

/** The one log directory's name when topics live in memory. */
export const MEMORY_LOG_DIR = "(memory)";

/** The file system's size and free space under `dir` (v4), -1 when unknown or in memory. */
function space(dir: string | null): { totalBytes: number; usableBytes: number } {
  if (dir === null) return { totalBytes: -1, usableBytes: -1 };
  try {
    const s = statfsSync(dir);
    return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
  } catch {
    return { totalBytes: -1, usableBytes: -1 };
  }
}

/**
 * Versions 0–4 (flexible from v2). One log directory: the data directory, with each partition's real size
 * on disk and, from v4, the file system's total and usable bytes. Needs Describe on the cluster.
 */
export const describeLogDirs = defineApi({
  key: 35,
  name: "DescribeLogDirs",
  minVersion: 0,
  maxVersion: 4,
  request: message("2+", { topics: field(nullableArray(struct({ topic: field(string), partitions: field(array(int32)) }))) }),
  response: message("2+", {
    throttleTimeMs: field(int32),
    errorCode: field(int16, "3+"),
    results: field(
      array(
        struct({
          errorCode: field(int16),
          logDir: field(string),
          topics: field(
            array(
              struct({
                name: field(string),
                partitions: field(array(struct({ partitionIndex: field(int32), partitionSize: field(int64), offsetLag: field(int64), isFutureKey: field(bool) }))),
              }),
            ),
          ),
          totalBytes: field(int64, "4+", -1),
          usableBytes: field(int64, "4+", -1),
        }),
      ),
    ),
  }),
  handle(req, ctx) {
    const { topics } = ctx.broker;
    // Kafka answers an unauthorized request with no log directories (and, from v3, the error).
    if (!ctx.access.cluster(Operation.Describe)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    // null asks for every partition; partitions that do not exist are left out, as Kafka does.
    const wanted = req.topics ?? topics.names().map((topic) => ({ topic, partitions: (topics.get(topic) ?? []).map((p) => p.index) }));
    const described = wanted
      .map((t) => ({
        name: t.topic,
        partitions: t.partitions
          .map((i) => topics.partition(t.topic, i))
          .filter((p) => p !== undefined)
          .map((p) => ({ partitionIndex: p.index, partitionSize: p.log.sizeBytes, offsetLag: 0, isFutureKey: false })),
      }))
      .filter((t) => t.partitions.length > 0);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{ errorCode: ErrorCode.NONE, logDir: topics.location ?? MEMORY_LOG_DIR, topics: described, ...space(topics.location) }],
    };
  },
});
