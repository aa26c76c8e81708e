-- Owned by campaigns: a run queues its audience in chunks, each its own transaction, so the sender starts on the
-- first chunk while the rest is written. The run row says how far it got, so that a run whose instance died is
-- finished by another instance (or the next start) from where it stopped.

-- +goose Up
ALTER TABLE campaign_runs ADD COLUMN last_lead_id bigint NOT NULL DEFAULT 0; -- every lead up to it is handled
-- Every scheduler tick looks for runs left unfinished; runs pile up (one per slot), unfinished ones are few.
CREATE INDEX campaign_runs_running_idx ON campaign_runs (id) WHERE status = 'running';

-- +goose Down
DROP INDEX campaign_runs_running_idx;
ALTER TABLE campaign_runs DROP COLUMN last_lead_id;
