import type { Api } from "./apis/api.ts";
import { alterConfigs } from "./apis/alter-configs.ts";
import { apiVersions } from "./apis/api-versions.ts";
import { createPartitions } from "./apis/create-partitions.ts";
import { createAcls } from "./apis/create-acls.ts";
import { createTopics } from "./apis/create-topics.ts";
import { deleteAcls } from "./apis/delete-acls.ts";
import { describeAcls } from "./apis/describe-acls.ts";
import { saslAuthenticate } from "./apis/sasl-authenticate.ts";
import { saslHandshake } from "./apis/sasl-handshake.ts";
import { deleteGroups } from "./apis/delete-groups.ts";
import { deleteRecords } from "./apis/delete-records.ts";
import { deleteTopics } from "./apis/delete-topics.ts";
import { describeCluster } from "./apis/describe-cluster.ts";
import { describeConfigs } from "./apis/describe-configs.ts";
import { describeGroups } from "./apis/describe-groups.ts";
import { describeLogDirs } from "./apis/describe-log-dirs.ts";
import { describeProducers } from "./apis/describe-producers.ts";
import { fetch } from "./apis/fetch.ts";
import { findCoordinator } from "./apis/find-coordinator.ts";
import { heartbeat } from "./apis/heartbeat.ts";
import { incrementalAlterConfigs } from "./apis/incremental-alter-configs.ts";
import { initProducerId } from "./apis/init-producer-id.ts";
import { joinGroup } from "./apis/join-group.ts";
import { leaveGroup } from "./apis/leave-group.ts";
import { listGroups } from "./apis/list-groups.ts";
import { listOffsets } from "./apis/list-offsets.ts";
import { metadata } from "./apis/metadata.ts";
import { offsetCommit } from "./apis/offset-commit.ts";
import { offsetDelete } from "./apis/offset-delete.ts";
import { offsetFetch } from "./apis/offset-fetch.ts";
import { produce } from "./apis/produce.ts";
import { syncGroup } from "./apis/sync-group.ts";

// biome-ignore lint: handlers of different request types live in one table
type AnyApi = Api<any, any>;

/** Every implemented API. ApiVersions is derived from this list, so nothing unimplemented is advertised. */
export const apis: readonly AnyApi[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  apiVersions,
  createTopics,
  deleteTopics,
  initProducerId,
  deleteRecords,
  describeConfigs,
  alterConfigs,
  describeLogDirs,
  createPartitions,
  deleteGroups,
  incrementalAlterConfigs,
  offsetDelete,
  describeCluster,
  describeProducers,
  // Security: SASL and ACLs (auth/).
  saslHandshake,
  saslAuthenticate,
  describeAcls,
  createAcls,
  deleteAcls,
];

const byKey = new Map<number, AnyApi>();
for (const api of apis) {
  if (byKey.has(api.key)) throw new Error(`API key ${api.key} registered twice`);
  byKey.set(api.key, api);
}

export const lookupApi = (key: number): AnyApi | undefined => byKey.get(key);

export const apiRanges = apis
  .map((a) => ({ apiKey: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion }))
  .sort((a, b) => a.apiKey - b.apiKey);
