-- Owned by messenger (dialog for conversations): a chat is a chat of one bot on one channel.
--
-- Until now everything named a client's chat by one number, Telegram's chat id, unique across everything. A chat
-- is now (bot, chat id): bots are Dozvon's bots on each messenger (telegram | max), several per channel possible,
-- and a client may be reachable on both messengers. Contacts, the outbox, the inbox, pacing, invitations, opt-outs,
-- inbound files and conversations say which channel and bot they belong to.
--
-- Existing rows were all written by the one Telegram bot of the environment, which no table named. They go to a
-- placeholder bot row (channel telegram, remote_id NULL) that the first Telegram bot registered at start adopts
-- (messenger.Bots.Register), so every bot_id is NOT NULL from the start and nothing is guessed here. A fresh
-- database gets the placeholder too: a Telegram bot that registers takes it; one that never does leaves a row
-- with no chats.
--
-- Nothing is dropped: Telegram's message ids become text refs (MAX names messages by strings), tg_user_id becomes
-- user_id, and an inbox row keeps its update_id as its key and as its new id, so that conversation_messages and
-- inbound_files, which named the update by that number, name the same inbox row now.

-- +goose Up
CREATE TABLE bots (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel    text NOT NULL CHECK (channel IN ('telegram', 'max')),
    -- the bot's own id as its messenger names it (Telegram: the number before the token's colon, getMe's id);
    -- NULL only for the placeholder of the environment's Telegram bot before it started once
    remote_id  text CHECK (remote_id <> ''),
    username   text NOT NULL DEFAULT '',         -- what deep links name (t.me/<username>, max.ru/<username>)
    name       text NOT NULL DEFAULT '',         -- what people see: a brand or a region
    enabled    boolean NOT NULL DEFAULT true,
    -- Reserved for bots configured in the UI: where their token is kept. Bots of the environment have none.
    token_ref  text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, remote_id),
    UNIQUE (id, channel)                         -- so that a row naming both is checked against the bot
);
INSERT INTO bots (channel, name) VALUES ('telegram', 'Telegram');

-- +goose StatementBegin
DO $$
DECLARE
    legacy bigint := (SELECT id FROM bots WHERE channel = 'telegram' AND remote_id IS NULL);
    slot timestamptz;
    paused timestamptz;
    n bigint;
BEGIN
    -- Constant defaults fill existing rows without rewriting the table; they are dropped below, so that every
    -- new row names its channel and bot.
    EXECUTE format('ALTER TABLE contacts ADD COLUMN channel text NOT NULL DEFAULT %L CHECK (channel IN (''telegram'', ''max'')),
                    ADD COLUMN bot_id bigint NOT NULL DEFAULT %s', 'telegram', legacy);
    EXECUTE format('ALTER TABLE outbox ADD COLUMN channel text NOT NULL DEFAULT %L CHECK (channel IN (''telegram'', ''max'')),
                    ADD COLUMN bot_id bigint NOT NULL DEFAULT %s', 'telegram', legacy);
    EXECUTE format('ALTER TABLE inbox ADD COLUMN bot_id bigint NOT NULL DEFAULT %s', legacy);
    EXECUTE format('ALTER TABLE inbound_files ADD COLUMN bot_id bigint NOT NULL DEFAULT %s', legacy);
    EXECUTE format('ALTER TABLE conversations ADD COLUMN channel text NOT NULL DEFAULT %L CHECK (channel IN (''telegram'', ''max''))', 'telegram');
    EXECUTE format('ALTER TABLE invitations ADD COLUMN channel text NOT NULL DEFAULT %L CHECK (channel IN (''telegram'', ''max''))', 'telegram');
    ALTER TABLE invitations ADD COLUMN bot_id bigint REFERENCES bots (id);
    UPDATE invitations SET bot_id = legacy;
    ALTER TABLE opt_outs ADD COLUMN channel text CHECK (channel IN ('telegram', 'max')),
        ADD COLUMN bot_id bigint REFERENCES bots (id), ADD COLUMN client_id bigint REFERENCES clients (id);
    UPDATE opt_outs SET channel = 'telegram', bot_id = legacy WHERE chat_id IS NOT NULL;

    -- Pacing was keyed by the bot's username; there was one bot, so its slot and pause are the legacy bot's.
    SELECT max(next_slot), max(paused_until), count(*) INTO slot, paused, n FROM send_pacing;
    DROP TABLE send_pacing;
    CREATE TABLE send_pacing (
        bot_id       bigint PRIMARY KEY REFERENCES bots (id),
        next_slot    timestamptz NOT NULL DEFAULT now(),
        paused_until timestamptz NOT NULL DEFAULT '-infinity'
    );
    IF n > 0 THEN
        INSERT INTO send_pacing (bot_id, next_slot, paused_until) VALUES (legacy, slot, paused);
    END IF;
END
$$;
-- +goose StatementEnd

-- Contacts: one row per chat of a bot. Telegram's private chat id is the user's id whichever bot they talk to, so
-- the chat id alone is unique per bot only.
ALTER TABLE contacts
    ALTER COLUMN channel DROP DEFAULT, ALTER COLUMN bot_id DROP DEFAULT,
    ADD CONSTRAINT contacts_bot_fkey FOREIGN KEY (bot_id, channel) REFERENCES bots (id, channel),
    DROP CONSTRAINT contacts_chat_id_key,
    ADD CONSTRAINT contacts_bot_chat_key UNIQUE (bot_id, chat_id);
ALTER TABLE contacts RENAME COLUMN tg_user_id TO user_id;

-- The outbox: each bot's sender claims its own rows. Like the outbox's other references (00009), bot_id has no
-- foreign key: a run queues 100,000 rows in a statement, their bot taken from the contacts it reads.
-- The indexes that change go first, so that rewriting the table for the new column type does not rebuild them.
ALTER TABLE outbox ALTER COLUMN channel DROP DEFAULT, ALTER COLUMN bot_id DROP DEFAULT;
DROP INDEX outbox_ready_idx, outbox_chat_idx, outbox_sending_chat_idx;
ALTER TABLE outbox ALTER COLUMN tg_message_id TYPE text USING tg_message_id::text;
ALTER TABLE outbox RENAME COLUMN tg_message_id TO message_ref;
CREATE INDEX outbox_ready_idx ON outbox (bot_id, priority DESC, not_before, id) WHERE state IN ('queued', 'sending');
CREATE INDEX outbox_chat_idx ON outbox (bot_id, chat_id, created_at);
CREATE INDEX outbox_sending_chat_idx ON outbox (bot_id, chat_id) WHERE state = 'sending';

-- The inbox: a delivery is known by its bot and the key its messenger gives it (Telegram: the update_id; MAX has
-- none, its adapter makes one), so a redelivery is stored once; id is the order of processing. Legacy rows keep
-- their update_id as id, so the identity starts after the highest.
ALTER TABLE inbox ALTER COLUMN bot_id DROP DEFAULT,
    ADD COLUMN key text, ADD COLUMN id bigint;
UPDATE inbox SET key = update_id::text, id = update_id;
ALTER TABLE inbox DROP CONSTRAINT inbox_pkey;
DROP INDEX inbox_unprocessed_idx;
ALTER TABLE inbox DROP COLUMN update_id;
ALTER TABLE inbox ALTER COLUMN key SET NOT NULL, ALTER COLUMN id SET NOT NULL;
ALTER TABLE inbox ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY,
    ADD PRIMARY KEY (id),
    ADD CONSTRAINT inbox_bot_key UNIQUE (bot_id, key),
    ADD CONSTRAINT inbox_bot_fkey FOREIGN KEY (bot_id) REFERENCES bots (id);
SELECT setval(pg_get_serial_sequence('inbox', 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) FROM inbox;
CREATE INDEX inbox_unprocessed_idx ON inbox (bot_id, id) WHERE processed_at IS NULL;

-- What referred to an update by its number refers to its inbox row (the same number for the rows above).
ALTER TABLE conversation_messages RENAME COLUMN update_id TO inbox_id;
ALTER INDEX conversation_messages_update_key RENAME TO conversation_messages_inbox_key;
ALTER TABLE inbound_files RENAME COLUMN update_id TO inbox_id;
-- A bot's files are fetched through that bot.
ALTER TABLE inbound_files ALTER COLUMN bot_id DROP DEFAULT,
    ADD CONSTRAINT inbound_files_bot_fkey FOREIGN KEY (bot_id) REFERENCES bots (id);
DROP INDEX inbound_files_pending_idx;
CREATE INDEX inbound_files_pending_idx ON inbound_files (bot_id, not_before, id) WHERE state = 'pending';

ALTER TABLE conversations ALTER COLUMN channel DROP DEFAULT;

-- Invitations: the channel whose deep link the lead was sent, and the bot when it was chosen.
ALTER TABLE invitations ALTER COLUMN channel DROP DEFAULT;

-- Opt-outs hold on every channel: by phone, by the bank's client the chat spoke for, and by the chat itself
-- (channel and bot say where the client said it). Legacy rows get the client their chat's leads belong to.
UPDATE opt_outs o SET client_id = (
    SELECT min(l.client_id) FROM contacts ct JOIN contact_leads cl ON cl.contact_id = ct.id JOIN leads l ON l.id = cl.lead_id
    WHERE ct.bot_id = o.bot_id AND ct.chat_id = o.chat_id)
WHERE o.chat_id IS NOT NULL;
ALTER TABLE opt_outs DROP CONSTRAINT opt_outs_check,
    ADD CONSTRAINT opt_outs_who_check CHECK (phone IS NOT NULL OR chat_id IS NOT NULL OR client_id IS NOT NULL),
    ADD CONSTRAINT opt_outs_chat_check CHECK (chat_id IS NULL OR bot_id IS NOT NULL);
DROP INDEX opt_outs_chat_idx;
CREATE INDEX opt_outs_chat_idx ON opt_outs (bot_id, chat_id) WHERE lifted_at IS NULL;
CREATE INDEX opt_outs_client_idx ON opt_outs (client_id) WHERE lifted_at IS NULL;

-- +goose Down
-- Only a database whose chats are all on one Telegram bot goes back: the old tables cannot say more.
DROP INDEX opt_outs_client_idx, opt_outs_chat_idx;
CREATE INDEX opt_outs_chat_idx ON opt_outs (chat_id) WHERE lifted_at IS NULL;
DELETE FROM opt_outs WHERE phone IS NULL AND chat_id IS NULL;
ALTER TABLE opt_outs DROP CONSTRAINT opt_outs_chat_check, DROP CONSTRAINT opt_outs_who_check,
    ADD CONSTRAINT opt_outs_check CHECK (phone IS NOT NULL OR chat_id IS NOT NULL),
    DROP COLUMN client_id, DROP COLUMN bot_id, DROP COLUMN channel;
ALTER TABLE invitations DROP COLUMN bot_id, DROP COLUMN channel;
ALTER TABLE conversations DROP COLUMN channel;
DROP INDEX inbound_files_pending_idx;
CREATE INDEX inbound_files_pending_idx ON inbound_files (not_before, id) WHERE state = 'pending';
ALTER TABLE inbound_files DROP COLUMN bot_id;
ALTER TABLE inbound_files RENAME COLUMN inbox_id TO update_id;
ALTER INDEX conversation_messages_inbox_key RENAME TO conversation_messages_update_key;
ALTER TABLE conversation_messages RENAME COLUMN inbox_id TO update_id;
DROP INDEX inbox_unprocessed_idx;
ALTER TABLE inbox DROP CONSTRAINT inbox_pkey, DROP CONSTRAINT inbox_bot_key, DROP COLUMN bot_id,
    ALTER COLUMN id DROP IDENTITY;
ALTER TABLE inbox RENAME COLUMN id TO update_id;
ALTER TABLE inbox DROP COLUMN key, ADD PRIMARY KEY (update_id);
CREATE INDEX inbox_unprocessed_idx ON inbox (update_id) WHERE processed_at IS NULL;
DROP INDEX outbox_ready_idx, outbox_chat_idx, outbox_sending_chat_idx;
CREATE INDEX outbox_ready_idx ON outbox (priority DESC, not_before, id) WHERE state IN ('queued', 'sending');
CREATE INDEX outbox_chat_idx ON outbox (chat_id, created_at);
CREATE INDEX outbox_sending_chat_idx ON outbox (chat_id) WHERE state = 'sending';
ALTER TABLE outbox RENAME COLUMN message_ref TO tg_message_id;
ALTER TABLE outbox ALTER COLUMN tg_message_id TYPE bigint USING tg_message_id::bigint,
    DROP COLUMN bot_id, DROP COLUMN channel;
ALTER TABLE contacts RENAME COLUMN user_id TO tg_user_id;
ALTER TABLE contacts DROP CONSTRAINT contacts_bot_chat_key, DROP CONSTRAINT contacts_bot_fkey,
    ADD CONSTRAINT contacts_chat_id_key UNIQUE (chat_id), DROP COLUMN bot_id, DROP COLUMN channel;
DROP TABLE send_pacing;
CREATE TABLE send_pacing (
    bot        text PRIMARY KEY,
    next_slot  timestamptz NOT NULL DEFAULT now(),
    paused_until timestamptz NOT NULL DEFAULT '-infinity'
);
DROP TABLE bots;
