-- Owned by campaigns and messenger: what a campaign run pays per queued message. A run inserts its whole audience
-- into the outbox in one statement (100,000 rows for a large campaign), and every index and foreign key of the
-- outbox is paid once per row.

-- +goose Up
-- The unique (campaign_id, step, lead_id) key already finds a campaign's messages by its leading column; progress
-- counts and pause/resume filter its rows by state.
DROP INDEX outbox_campaign_state_idx;

-- Foreign keys are checked row by row: three per queued message, each a query, and the one on lead_id also locks
-- the lead row (a write to the leads table for every message). Campaigns, their runs and leads are never deleted
-- (they end by status), and the run takes these ids from the rows it reads in the same statement, so the checks
-- guarded against nothing that happens. The outbox's reference to a conversation stays: replies are few.
ALTER TABLE outbox
    DROP CONSTRAINT outbox_campaign_id_fkey,
    DROP CONSTRAINT outbox_run_id_fkey,
    DROP CONSTRAINT outbox_lead_id_fkey;

-- +goose Down
ALTER TABLE outbox
    ADD CONSTRAINT outbox_campaign_id_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id),
    ADD CONSTRAINT outbox_run_id_fkey FOREIGN KEY (run_id) REFERENCES campaign_runs (id),
    ADD CONSTRAINT outbox_lead_id_fkey FOREIGN KEY (lead_id) REFERENCES leads (id);
CREATE INDEX outbox_campaign_state_idx ON outbox (campaign_id, state) WHERE campaign_id IS NOT NULL;
