import { ErrorCode } from "../protocol/errors.ts";
import { array, bool, field, int16, int32, int8, message, nullableString, string, struct } from "../protocol/schema.ts";
import { CLUSTER } from "../auth/acl.ts";
import { OPERATIONS_NOT_REQUESTED } from "../state/operations.ts";
import { defineApi } from "./api.ts";

const BROKERS = 1;

/** Versions 0–1 (always flexible): this node is the whole cluster and its controller; anyone may ask, as in Kafka. */
export const describeCluster = defineApi({
  key: 60,
  name: "DescribeCluster",
  minVersion: 0,
  maxVersion: 1,
  request: message("0+", { includeClusterAuthorizedOperations: field(bool), endpointType: field(int8, "1+", BROKERS) }),
  response: message("0+", {
    throttleTimeMs: field(int32),
    errorCode: field(int16),
    errorMessage: field(nullableString),
    endpointType: field(int8, "1+", BROKERS),
    clusterId: field(string),
    controllerId: field(int32, "0+", -1),
    brokers: field(array(struct({ brokerId: field(int32), host: field(string), port: field(int32), rack: field(nullableString) }))),
    clusterAuthorizedOperations: field(int32, "0+", OPERATIONS_NOT_REQUESTED),
  }),
  handle(req, ctx) {
    const { nodeId, clusterId } = ctx.broker;
    const base = { throttleTimeMs: 0, endpointType: req.endpointType, clusterId, controllerId: nodeId, clusterAuthorizedOperations: OPERATIONS_NOT_REQUESTED };
    if (req.endpointType !== BROKERS)
      return { ...base, errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: "This broker describes brokers only (endpoint type 1).", brokers: [] };
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      brokers: [{ brokerId: nodeId, host: ctx.advertised.host, port: ctx.advertised.port, rack: null }],
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? ctx.access.operations("cluster", CLUSTER) : OPERATIONS_NOT_REQUESTED,
    };
  },
});
