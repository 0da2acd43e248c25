import type { Member } from "./member.ts";

/**
 * Kafka's protocol election: among the protocols (assignors) every member supports, each member votes for
 * the one it lists first, and the most votes win. Mixed clients share a group only if they name a common
 * assignor the same way (kafkajs #630).
 */
export function chooseProtocol(members: readonly Member[]): string {
  const common = members[0]!.request.protocols.map((p) => p.name).filter((name) => members.every((m) => m.request.protocols.some((p) => p.name === name)));
  const votes = new Map<string, number>(common.map((c) => [c, 0]));
  for (const m of members) {
    const choice = m.request.protocols.find((p) => votes.has(p.name))?.name;
    if (choice) votes.set(choice, votes.get(choice)! + 1);
  }
  if (votes.size === 0) return members[0]!.request.protocols[0]?.name ?? "";
  return [...votes.entries()].reduce((best, cur) => (cur[1] > best[1] ? cur : best))[0];
}
