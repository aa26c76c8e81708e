-- Owned by messenger/telegram: the secret Telegram sends with every webhook delivery
-- (X-Telegram-Bot-Api-Secret-Token). It is random, made by the first instance that sets the webhook, and read by
-- every other, so all of them accept what Telegram delivers to any; nothing public (the bot token's id, the
-- simulator's token) derives it.

-- +goose Up
CREATE TABLE telegram_webhook_secrets (
    bot_id     bigint PRIMARY KEY,           -- the bot's id: the number before the colon of its token
    secret     text NOT NULL CHECK (secret ~ '^[A-Za-z0-9_-]+$' AND length(secret) BETWEEN 32 AND 256),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE telegram_webhook_secrets;
