import { Operation } from "../auth/acl.ts";
import { holdRequest, type JoinResult } from "../groups/member.ts";
import { array, bool, bytes, field, int16, int32, message, nullableString, string, struct } from "../protocol/schema.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { defineApi } from "./api.ts";

/** Session and rebalance timeouts above this are refused (Kafka's group.max.session.timeout.ms is 30 min). */
const MAX_TIMEOUT_MS = 30 * 60 * 1000;

/** Versions 0–9: v6 is flexible, v7 names the protocol type, v8 carries a reason, v9 skip_assignment (never set here). */
export const joinGroup = defineApi({
  key: 11,
  name: "JoinGroup",
  minVersion: 0,
  maxVersion: 9,
  request: message("6+", {
    groupId: field(string),
    sessionTimeoutMs: field(int32),
    rebalanceTimeoutMs: field(int32, "1+", -1),
    memberId: field(string),
    groupInstanceId: field(nullableString, "5+"),
    protocolType: field(string),
    protocols: field(array(struct({ name: field(string), metadata: field(bytes) }))),
    reason: field(nullableString, "8+", null),
  }),
  response: message("6+", {
    throttleTimeMs: field(int32, "2+"),
    errorCode: field(int16),
    generationId: field(int32, "0+", -1),
    protocolType: field(nullableString, "7+", null),
    protocolName: field(nullableString),
    leader: field(string),
    skipAssignment: field(bool, "9+", false),
    memberId: field(string),
    members: field(array(struct({ memberId: field(string), groupInstanceId: field(nullableString, "5+"), metadata: field(bytes) }))),
  }),
  handle(req, ctx) {
    // v7+ names the protocol type, and a failed join has no protocol (null) rather than an empty name.
    const answer = (r: JoinResult) => {
      const ok = r.errorCode === ErrorCode.NONE;
      return { throttleTimeMs: 0, ...r, protocolType: ok ? req.protocolType : null, protocolName: ok || ctx.version < 7 ? r.protocolName : null, skipAssignment: false };
    };
    if (!ctx.access.group(Operation.Read, req.groupId)) {
      return answer({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, generationId: -1, protocolName: "", leader: "", memberId: req.memberId, members: [] });
    }
    const bad = (ms: number) => !(ms >= 1 && ms <= MAX_TIMEOUT_MS);
    if (bad(req.sessionTimeoutMs) || (req.rebalanceTimeoutMs !== -1 && bad(req.rebalanceTimeoutMs))) {
      return answer({ errorCode: ErrorCode.INVALID_SESSION_TIMEOUT, generationId: -1, protocolName: "", leader: "", memberId: req.memberId, members: [] });
    }
    return new Promise<JoinResult>((resolve) => {
      ctx.broker.coordinator.join(
        req.groupId,
        {
          memberId: req.memberId,
          groupInstanceId: req.groupInstanceId,
          clientId: ctx.clientId,
          clientHost: ctx.clientHost,
          sessionTimeoutMs: req.sessionTimeoutMs,
          rebalanceTimeoutMs: req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
          protocolType: req.protocolType,
          // The request frame is released after decoding; the group keeps the metadata longer.
          protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata.slice() })),
        },
        ctx.version >= 4,
        holdRequest(resolve, ctx.alive, ctx.onClose),
      );
    }).then(answer);
  },
});
