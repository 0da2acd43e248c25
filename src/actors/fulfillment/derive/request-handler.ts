import { Effect } from "effect"
import { BackfillRequestEvent } from "../../../events/backfill-request.ts"
import { Topics } from "../../../events/topics.ts"
import { topicHandler } from "../../../kafka/topic-handler.ts"
import { addDerivations } from "./repo.ts"

/** `backfill-request` → one derivation per campaign backfill job (the runner does the work). */
export const backfillRequestHandler = topicHandler({
  topic: Topics.backfillRequest,
  schema: BackfillRequestEvent,
  eventIdOf: (event) => event.eventId,
  tenantOf: (event) => event.tenant,
  handle: (tx, consumed) => addDerivations(tx, consumed.map((c) => c.event)).pipe(Effect.as([]))
})
