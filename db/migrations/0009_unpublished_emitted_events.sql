-- Once a batch's emitted events are published their copy is cleared, so what is still stored is
-- exactly what has not gone out yet; the relay finds it through these small partial indexes even
-- when the input is no longer in Kafka to be redelivered.
create index processed_events_unpublished on fulfillment.processed_events (seq) where emitted is not null;
create index processed_events_unpublished on campaign.processed_events (seq) where emitted is not null;
create index processed_events_unpublished on reward.processed_events (seq) where emitted is not null;
