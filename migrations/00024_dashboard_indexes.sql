-- Owned by reports (read side) on the outbox and dialog's messages: the dashboards read a period's campaign sends
-- and a period's answered client messages under every filter. Over a year of 10,000,000 messages a scan of either
-- table is seconds (docs/BENCHMARKS.md, Dashboards); these partial indexes hold only the rows the dashboards read,
-- with the columns they need, so a period is an index-only range. Each costs one index entry when a campaign
-- message is sent or a client message answered, not one per write of the row.

-- +goose Up
CREATE INDEX outbox_campaign_sent_idx ON outbox (sent_at) INCLUDE (lead_id, campaign_id)
    WHERE campaign_id IS NOT NULL AND state = 'sent';
CREATE INDEX conversation_messages_answered_idx ON conversation_messages (created_at)
    INCLUDE (conversation_id, answered_by, response_ms)
    WHERE sla AND answered_at IS NOT NULL;

-- +goose Down
DROP INDEX conversation_messages_answered_idx, outbox_campaign_sent_idx;
