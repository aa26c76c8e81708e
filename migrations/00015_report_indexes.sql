-- Owned by reports (read side) on dialog's tables: the conversion report looks up each lead's conversation, and
-- the service report reads ratings by when they were given. Both tables grow with replies, not with broadcasts, so
-- the indexes cost little on the way in. The outbox gets none: the sender writes every message twice, and a
-- report over a fortnight reads it once.

-- +goose Up
CREATE INDEX conversations_lead_idx ON conversations (lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX conversations_csat_idx ON conversations (csat_at) WHERE csat IS NOT NULL;

-- +goose Down
DROP INDEX conversations_lead_idx, conversations_csat_idx;
