-- Owned by dialog: conversations with clients, their messages, who works them, the SLA clock, the outcomes
-- operators record, and the events every operator screen follows.

-- +goose Up
CREATE TABLE queues (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    lead_kind   text CHECK (lead_kind IN ('missed_call', 'follow_up', 'acquiring')),
    sla_target  interval NOT NULL DEFAULT '60 seconds',
    sla_warning interval NOT NULL DEFAULT '45 seconds'
);
INSERT INTO queues (name, lead_kind) VALUES
    ('missed_call', 'missed_call'), ('follow_up', 'follow_up'), ('acquiring', 'acquiring'), ('general', NULL);

CREATE TABLE operator_states (
    user_id      bigint PRIMARY KEY REFERENCES users (id),
    status       text NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'away', 'offline')),
    capacity     integer NOT NULL DEFAULT 5 CHECK (capacity BETWEEN 1 AND 50),
    queues       bigint[] NOT NULL DEFAULT '{}',
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    changed_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE conversations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contact_id    bigint NOT NULL REFERENCES contacts (id),
    client_id     bigint REFERENCES clients (id),
    lead_id       bigint REFERENCES leads (id),
    campaign_id   bigint REFERENCES campaigns (id),
    queue_id      bigint REFERENCES queues (id),
    status        text NOT NULL DEFAULT 'bot' CHECK (status IN ('bot', 'waiting', 'assigned', 'closed')),
    operator_id   bigint REFERENCES users (id),
    waiting_since timestamptz,                       -- oldest unanswered client message; drives the SLA clock
    opened_at     timestamptz NOT NULL DEFAULT now(),
    assigned_at   timestamptz,
    closed_at     timestamptz,
    csat          smallint CHECK (csat BETWEEN 1 AND 5)
);
-- One open conversation per chat.
CREATE UNIQUE INDEX conversations_open_contact_key ON conversations (contact_id) WHERE status <> 'closed';
CREATE INDEX conversations_queue_wait_idx ON conversations (queue_id, waiting_since) WHERE status = 'waiting';
CREATE INDEX conversations_operator_idx ON conversations (operator_id) WHERE status = 'assigned';

CREATE TABLE conversation_messages (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id bigint NOT NULL REFERENCES conversations (id),
    direction       text NOT NULL CHECK (direction IN ('in', 'out', 'note', 'system')),
    author_id       bigint REFERENCES users (id),
    text            text NOT NULL DEFAULT '',
    payload         jsonb NOT NULL DEFAULT '{}',     -- buttons, contact, callback data
    outbox_id       bigint REFERENCES outbox (id),
    update_id       bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    answered_at     timestamptz,                     -- client messages: when an operator first answered
    response_ms     integer                          -- answered_at - created_at, kept for SLA reports
);
CREATE INDEX conversation_messages_conv_idx ON conversation_messages (conversation_id, id);
ALTER TABLE outbox ADD CONSTRAINT outbox_conversation_fk FOREIGN KEY (conversation_id) REFERENCES conversations (id);

CREATE TABLE assignments (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id bigint NOT NULL REFERENCES conversations (id),
    operator_id     bigint REFERENCES users (id),
    queue_id        bigint REFERENCES queues (id),
    reason          text NOT NULL,                   -- auto, take_next, transfer, supervisor, requeue
    note            text NOT NULL DEFAULT '',
    by_user_id      bigint REFERENCES users (id),
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assignments_conv_idx ON assignments (conversation_id, at);

-- Outcomes are the conversion events reports count: consent, refusal, callback, meeting, account opened,
-- acquiring connected.
CREATE TABLE outcomes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id bigint REFERENCES conversations (id),
    lead_id         bigint REFERENCES leads (id),
    client_id       bigint REFERENCES clients (id),
    kind            text NOT NULL CHECK (kind IN ('consent', 'refusal', 'callback', 'meeting',
                    'account_opened', 'acquiring_connected')),
    product         text NOT NULL DEFAULT '' CHECK (product IN ('', 'rko', 'acquiring')),
    reason          text NOT NULL DEFAULT '',
    due_at          timestamptz,                     -- callback time, meeting deadline
    recorded_by     bigint REFERENCES users (id),
    source          text NOT NULL DEFAULT 'operator', -- operator, import (the bank's systems confirm conversions)
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outcomes_lead_idx ON outcomes (lead_id, kind);
CREATE INDEX outcomes_recorded_idx ON outcomes (recorded_at);

CREATE TABLE scripts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title      text NOT NULL,
    body       text NOT NULL,
    lead_kind  text CHECK (lead_kind IN ('missed_call', 'follow_up', 'acquiring')),
    shortcut   text NOT NULL DEFAULT '',
    created_by bigint REFERENCES users (id),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Everything an operator's screen must learn, with a growing id: a websocket client resumes after the last id it
-- saw. Rows are published with NOTIFY so every instance's hub hears them.
CREATE TABLE events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL,
    conversation_id bigint REFERENCES conversations (id),
    operator_id     bigint REFERENCES users (id),    -- NULL: for every operator of the queue / supervisors
    queue_id        bigint REFERENCES queues (id),
    payload         jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_created_idx ON events (created_at);

-- +goose Down
ALTER TABLE outbox DROP CONSTRAINT outbox_conversation_fk;
DROP TABLE events, scripts, outcomes, assignments, conversation_messages, conversations, operator_states, queues;
