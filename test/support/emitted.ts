/**
 * Everything a service emitted, in order, as its outbox holds it until published (`id` orders
 * the messages): what its consumers receive.
 */
export const emittedSql = (schema: "fulfillment" | "campaign" | "reward") => `
  select (o.id * 100000 + m.ordinality)::text as id, m.message->>'topic' as topic, m.message->>'key' as key, m.message->>'value' as value
  from ${schema}.outbox o, json_array_elements(o.messages::json) with ordinality as m(message, ordinality)`
