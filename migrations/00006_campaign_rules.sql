-- Owned by campaigns: the rules that turn the bank's data into the three lead kinds, editable by managers, and
-- what a campaign needs beyond v1.

-- +goose Up
CREATE TABLE lead_rules (
    kind       text PRIMARY KEY CHECK (kind IN ('missed_call', 'follow_up', 'acquiring')),
    params     jsonb NOT NULL,
    updated_by bigint REFERENCES users (id),
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO lead_rules (kind, params) VALUES
    ('missed_call', '{"min_attempts": 2, "max_age_days": 14}'),
    ('follow_up',   '{"days": 7, "max_age_days": 60}'),
    -- Industries where taking card payments online fits: e-commerce, retail, food, services, education, travel,
    -- leisure, health.
    ('acquiring',   '{"days": 30, "okved": ["47", "56", "79", "85.41", "86.2", "86.9", "93", "95", "96"]}');

ALTER TABLE campaigns
    ADD COLUMN description text NOT NULL DEFAULT '',
    ADD COLUMN invite_webhook text NOT NULL DEFAULT '',  -- SMS gateway for leads without a chat
    ADD COLUMN last_slot timestamptz;                    -- the newest schedule slot that ran

ALTER TABLE campaign_runs
    ADD COLUMN invited integer NOT NULL DEFAULT 0,        -- leads without a chat that got an invitation
    ADD COLUMN excluded integer NOT NULL DEFAULT 0;

-- A paused campaign's queued messages are held: not sent, not lost, due time kept.
ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check
    CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled', 'held'));

-- Invitations handed to the bank's SMS gateway, so a retry posts only what it has not taken yet.
ALTER TABLE invitations ADD COLUMN posted_at timestamptz;

CREATE INDEX outbox_lead_idx ON outbox (lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX outbox_campaign_state_idx ON outbox (campaign_id, state) WHERE campaign_id IS NOT NULL;
CREATE INDEX application_events_kind_idx ON application_events (kind, occurred_at);

-- +goose Down
UPDATE outbox SET state = 'queued' WHERE state = 'held';
ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check
    CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled'));
DROP INDEX application_events_kind_idx, outbox_campaign_state_idx, outbox_lead_idx;
ALTER TABLE invitations DROP COLUMN posted_at;
ALTER TABLE campaign_runs DROP COLUMN invited, DROP COLUMN excluded;
ALTER TABLE campaigns DROP COLUMN description, DROP COLUMN invite_webhook, DROP COLUMN last_slot;
DROP TABLE lead_rules;
