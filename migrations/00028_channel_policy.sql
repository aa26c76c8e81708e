-- Owned by messenger (the channel policy, the consent trail) and campaigns (a campaign's channels).
--
-- The channel policy is the installation's, one row, read by every instance from here at the moment it matters
-- (a run, a claim, a reply), so an administrator's change holds on all of them at once. Which channels Dozvon
-- writes on, and the foreign-messenger policy: with 'deny', Telegram (a foreign messenger on Roskomnadzor's
-- list, Federal Law 41-FZ) is never used to write to a client. updated_by NULL: the value is the environment's
-- (DOZVON_FOREIGN_MESSENGERS), which each start writes until an administrator sets one on the settings page.

-- +goose Up
CREATE TABLE channel_policy (
    id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
    enabled            text[] NOT NULL DEFAULT '{telegram,max}' CHECK (enabled <@ '{telegram,max}'),
    foreign_messengers text NOT NULL DEFAULT 'allow' CHECK (foreign_messengers IN ('allow', 'deny')),
    updated_by         bigint REFERENCES users (id) ON DELETE SET NULL,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- The channels a campaign may write on, in the order it prefers them for each client.
ALTER TABLE campaigns ADD COLUMN channels text[] NOT NULL DEFAULT '{max,telegram}'
    CHECK (cardinality(channels) BETWEEN 1 AND 2 AND channels <@ '{telegram,max}');

-- The consent trail: where the client came back from (the chat that started the bot again) when an opt-out
-- said on one messenger was lifted by a start on another.
ALTER TABLE opt_outs ADD COLUMN lifted_channel text CHECK (lifted_channel IN ('telegram', 'max')),
    ADD COLUMN lifted_bot_id bigint REFERENCES bots (id), ADD COLUMN lifted_chat_id bigint;

-- +goose Down
ALTER TABLE opt_outs DROP COLUMN lifted_chat_id, DROP COLUMN lifted_bot_id, DROP COLUMN lifted_channel;
ALTER TABLE campaigns DROP COLUMN channels;
DROP TABLE channel_policy;
