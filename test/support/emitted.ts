/**
 * Everything a service emitted, in processing order, as stored with the events that caused it
 * (`id` orders them): what its consumers received, or will receive again after a crash.
 */
export const emittedSql = (schema: "fulfillment" | "campaign" | "reward") => `
  select (p.seq * 100000 + m.ordinality)::text as id, m.message->>'topic' as topic, m.message->>'key' as key, m.message->>'value' as value
  from ${schema}.processed_events p, json_array_elements(p.emitted::json) with ordinality as m(message, ordinality)
  where p.emitted is not null`
