-- Owned by messenger/telegram: who receives a bot's updates.
--
-- telegram_pollers is the long poller's lease: one instance per bot may call getUpdates, the one named in owner,
-- and only until expires_at (PostgreSQL's clock). The owner renews it every fraction of a second, on a connection
-- of its own, and before every getUpdates; an instance that cannot renew stops polling before it expires, so a
-- lease another instance takes over is never still in use.
--
-- telegram_webhooks says a bot is in webhook mode: every running instance with DOZVON_PUBLIC_URL renews seen_at.
-- An instance without a public URL does not poll (and does not delete the webhook) while the row is fresh; only
-- when no instance with a public URL has been seen for a while does it switch the bot back to polling.

-- +goose Up
CREATE TABLE telegram_pollers (
    bot_id     bigint PRIMARY KEY,           -- the bot's id: the number before the colon of its token
    owner      text NOT NULL,                -- the polling instance: host, process and a random suffix
    expires_at timestamptz NOT NULL
);

CREATE TABLE telegram_webhooks (
    bot_id  bigint PRIMARY KEY,
    url     text NOT NULL,                   -- where the last instance with a public URL set the webhook
    seen_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE telegram_webhooks;
DROP TABLE telegram_pollers;
