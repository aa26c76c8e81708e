-- Owned by messenger/max: how each MAX bot's updates are received.
--
-- One row per bot. Long polling: one instance per bot calls GET /updates, the one named in poller, and only until
-- lease_until (PostgreSQL's clock); marker is GET /updates' marker after the last batch that was stored, so that a
-- restart (or another instance taking over) asks from there: MAX counts everything before the marker a request
-- passes as read, and without one it gives only the latest update. Webhook: webhook_secret is the subscription's
-- secret (random, kept so that every instance checks the same one), and webhook_seen_at is renewed by instances
-- with DOZVON_PUBLIC_URL; while it is fresh, no instance polls (MAX answers no polls while a subscription is set).

-- +goose Up
CREATE TABLE max_receivers (
    bot_id          bigint PRIMARY KEY REFERENCES bots (id),
    marker          bigint,
    poller          text,
    lease_until     timestamptz,
    webhook_secret  text,
    webhook_seen_at timestamptz
);

-- +goose Down
DROP TABLE max_receivers;
