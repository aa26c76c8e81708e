-- Owned by dialog: what working conversations needs beyond v1 — inbound messages that a redelivered update cannot
-- add twice, which client messages run an SLA clock and who answered them, the SLA episodes already announced,
-- the operator a returning client is routed to, read marks, and the delivery state operator screens follow.

-- +goose Up
-- A Telegram update is one client message: processing it again after a crash must not add it twice.
CREATE UNIQUE INDEX conversation_messages_update_key ON conversation_messages (update_id) WHERE update_id IS NOT NULL;

ALTER TABLE conversation_messages
    -- A client message an operator is expected to answer. Button presses the bot answers itself and CSAT
    -- answers are client messages too, but nobody is waited for, so they stay out of the SLA figures.
    ADD COLUMN sla         boolean NOT NULL DEFAULT false,
    ADD COLUMN answered_by bigint REFERENCES users (id),
    -- The outbox state last announced for an outgoing message; a change is published as a delivery event.
    ADD COLUMN delivery    text;
CREATE INDEX conversation_messages_unanswered_idx ON conversation_messages (conversation_id)
    WHERE sla AND answered_at IS NULL;
CREATE INDEX conversation_messages_sla_idx ON conversation_messages (created_at) WHERE sla;
CREATE INDEX conversation_messages_delivery_idx ON conversation_messages (outbox_id)
    WHERE delivery IN ('queued', 'sending');
CREATE INDEX conversation_messages_outbox_idx ON conversation_messages (outbox_id) WHERE outbox_id IS NOT NULL;

ALTER TABLE conversations
    ADD COLUMN queued_at             timestamptz,      -- when it last entered a queue
    -- The operator who last wrote to this client in an earlier conversation: routed there first when online.
    ADD COLUMN preferred_operator_id bigint REFERENCES users (id),
    -- The operator who passed it back to a queue: routing gives it to someone else.
    ADD COLUMN passed_by             bigint REFERENCES users (id),
    -- An SLA episode is one value of waiting_since; these say which episode was already announced, so a
    -- warning or a breach is published once however often the ticker looks.
    ADD COLUMN sla_warned_since      timestamptz,
    ADD COLUMN sla_breached_since    timestamptz,
    ADD COLUMN read_message_id       bigint NOT NULL DEFAULT 0,  -- the operator read everything up to this message
    ADD COLUMN last_message_at       timestamptz,
    ADD COLUMN csat_at               timestamptz;
CREATE INDEX conversations_contact_idx ON conversations (contact_id, opened_at);
CREATE INDEX conversations_client_idx ON conversations (client_id, opened_at);
CREATE INDEX conversations_sla_idx ON conversations (waiting_since)
    WHERE waiting_since IS NOT NULL AND status IN ('waiting', 'assigned');
CREATE INDEX conversations_bot_idx ON conversations (last_message_at) WHERE status = 'bot';

-- Ties in load go to the operator who has waited longest for a new conversation.
ALTER TABLE operator_states ADD COLUMN last_assigned_at timestamptz;

CREATE UNIQUE INDEX scripts_shortcut_key ON scripts (shortcut) WHERE shortcut <> '';
CREATE INDEX outcomes_conversation_idx ON outcomes (conversation_id);

-- +goose Down
DROP INDEX outcomes_conversation_idx, scripts_shortcut_key;
ALTER TABLE operator_states DROP COLUMN last_assigned_at;
DROP INDEX conversations_bot_idx, conversations_sla_idx, conversations_client_idx, conversations_contact_idx;
ALTER TABLE conversations DROP COLUMN queued_at, DROP COLUMN preferred_operator_id, DROP COLUMN passed_by, DROP COLUMN sla_warned_since,
    DROP COLUMN sla_breached_since, DROP COLUMN read_message_id, DROP COLUMN last_message_at, DROP COLUMN csat_at;
DROP INDEX conversation_messages_outbox_idx, conversation_messages_delivery_idx, conversation_messages_sla_idx,
    conversation_messages_unanswered_idx;
ALTER TABLE conversation_messages DROP COLUMN sla, DROP COLUMN answered_by, DROP COLUMN delivery;
DROP INDEX conversation_messages_update_key;
