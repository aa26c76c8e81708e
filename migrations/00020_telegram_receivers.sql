-- Owned by messenger/telegram: who receives a bot's updates.
--
-- telegram_pollers is the long poller's lease: one instance per bot may call getUpdates, the one named in owner,
-- and only until expires_at (PostgreSQL's clock). The owner renews it every fraction of a second, on a connection
-- of its own, and before every getUpdates; an instance that cannot renew stops polling before it expires, so a
-- lease another instance takes over is never still in use.
--
-- telegram_webhooks says a bot is in webhook mode: every running instance with DOZVON_PUBLIC_URL has a row and
-- renews its seen_at, and removes it when it stops. An instance without a public URL does not poll (and does not
-- delete the webhook) while any row is fresh; only when no instance with a public URL runs (or none has been seen
-- for a while: they crashed) does it switch the bot back to polling.

-- +goose Up
CREATE TABLE telegram_pollers (
    bot_id     bigint PRIMARY KEY,           -- the bot's id: the number before the colon of its token
    owner      text NOT NULL,                -- the polling instance: host, process and a random suffix
    expires_at timestamptz NOT NULL
);

CREATE TABLE telegram_webhooks (
    bot_id   bigint NOT NULL,
    instance text NOT NULL,                  -- the instance with a public URL: host, process and a random suffix
    url      text NOT NULL,                  -- where it set the webhook
    seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bot_id, instance)
);

-- +goose Down
DROP TABLE telegram_webhooks;
DROP TABLE telegram_pollers;
