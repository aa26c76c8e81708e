-- Owned by messenger: who can be written to and how (phone ↔ chat), who must not be, what is waiting to be sent
-- (the outbox is the queue) and what Telegram delivered to us (the inbox).

-- +goose Up
CREATE TABLE contacts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat_id      bigint NOT NULL UNIQUE,
    tg_user_id   bigint,
    username     text NOT NULL DEFAULT '',
    first_name   text NOT NULL DEFAULT '',
    phone        text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked', 'opted_out')),
    linked_via   text NOT NULL DEFAULT '' CHECK (linked_via IN ('', 'deep_link', 'contact', 'manual')),
    linked_at    timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contacts_phone_idx ON contacts (phone);

-- Which leads a chat speaks for, and what brought it (a campaign's invitation, a shared phone ...).
CREATE TABLE contact_leads (
    contact_id  bigint NOT NULL REFERENCES contacts (id),
    lead_id     bigint NOT NULL REFERENCES leads (id),
    campaign_id bigint REFERENCES campaigns (id),
    via         text NOT NULL,
    linked_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contact_id, lead_id)
);
CREATE INDEX contact_leads_lead_idx ON contact_leads (lead_id);

-- Personal deep links (https://t.me/<bot>?start=<token>): a lead without a chat is invited with one, and the
-- /start that carries the token links the chat to the lead and records what brought it.
CREATE TABLE invitations (
    token       text PRIMARY KEY CHECK (token ~ '^[A-Za-z0-9_-]{1,64}$'),
    lead_id     bigint NOT NULL REFERENCES leads (id),
    campaign_id bigint REFERENCES campaigns (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz,
    contact_id  bigint REFERENCES contacts (id)
);
CREATE UNIQUE INDEX invitations_lead_campaign_key ON invitations (lead_id, coalesce(campaign_id, 0));

-- The do-not-contact list. Kept by phone and by chat, so a client who opted out stays out under either.
CREATE TABLE opt_outs (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone      text,
    chat_id    bigint,
    reason     text NOT NULL DEFAULT '',
    source     text NOT NULL DEFAULT '',            -- /stop, button, operator, import
    created_at timestamptz NOT NULL DEFAULT now(),
    lifted_at  timestamptz,                          -- set when the client /starts again
    CHECK (phone IS NOT NULL OR chat_id IS NOT NULL)
);
CREATE INDEX opt_outs_phone_idx ON opt_outs (phone) WHERE lifted_at IS NULL;
CREATE INDEX opt_outs_chat_idx ON opt_outs (chat_id) WHERE lifted_at IS NULL;

-- The outgoing-message queue and its record. Workers claim rows with FOR UPDATE SKIP LOCKED and a lease, so a
-- crashed worker's rows return to the queue when the lease runs out.
CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id     bigint REFERENCES campaigns (id),
    run_id          bigint REFERENCES campaign_runs (id),
    step            integer NOT NULL DEFAULT 1,
    lead_id         bigint REFERENCES leads (id),
    conversation_id bigint,                          -- operator replies; FK added with the dialog tables
    chat_id         bigint NOT NULL,
    text            text NOT NULL,
    reply_markup    jsonb,
    state           text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    priority        smallint NOT NULL DEFAULT 0,     -- operator replies jump broadcast queues
    attempts        integer NOT NULL DEFAULT 0,
    not_before      timestamptz NOT NULL DEFAULT now(),  -- quiet hours and retry backoff
    lease_until     timestamptz,
    tg_message_id   bigint,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
-- At most one message per campaign step and lead, whatever overlaps or retries.
CREATE UNIQUE INDEX outbox_campaign_step_lead_key ON outbox (campaign_id, step, lead_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX outbox_ready_idx ON outbox (priority DESC, not_before, id) WHERE state IN ('queued', 'sending');
CREATE INDEX outbox_chat_idx ON outbox (chat_id, created_at);
-- Messages in flight, by chat: a chat gets one message at a time (the claim's anti-join probes this small index).
CREATE INDEX outbox_sending_chat_idx ON outbox (chat_id) WHERE state = 'sending';

-- Telegram's limits are per bot, whichever instance sends: one row per bot holds the next free send slot, and a
-- sender reserves slots from it before calling the Bot API. A 429 moves the slot past retry_after for everyone.
CREATE TABLE send_pacing (
    bot        text PRIMARY KEY,
    next_slot  timestamptz NOT NULL DEFAULT now(),
    paused_until timestamptz NOT NULL DEFAULT '-infinity'
);

-- Every Telegram update, stored before it is acknowledged; update_id makes a redelivery a no-op.
CREATE TABLE inbox (
    update_id    bigint PRIMARY KEY,
    payload      jsonb NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz,
    error        text NOT NULL DEFAULT ''
);
CREATE INDEX inbox_unprocessed_idx ON inbox (update_id) WHERE processed_at IS NULL;

-- +goose Down
DROP TABLE inbox, send_pacing, outbox, opt_outs, invitations, contact_leads, contacts;
