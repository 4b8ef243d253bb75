-- The sender's heads query over all shards walks the outbox in (lane, id) order; this index gives
-- that order directly (it also serves the per-lane counts that outbox_by_lane served).
CREATE INDEX outbox_by_lane_and_id ON outbox (lane, id);
DROP INDEX outbox_by_lane;
