-- Owned by messenger: who holds each claimed outbox message. A claim writes the sender that made it (lease_owner,
-- host:pid/sender, for whoever reads the table) and a random lease_token; a sender sends a message only while the
-- row still carries its token, extends the lease under it while it waits, and records the outcome under it
-- (UPDATE ... WHERE lease_token = mine). A claim by anyone else changes the token, so a sender that lost its lease
-- can neither send the message nor record it.

-- +goose Up
ALTER TABLE outbox ADD COLUMN lease_owner text, ADD COLUMN lease_token bigint;

-- +goose Down
ALTER TABLE outbox DROP COLUMN lease_owner, DROP COLUMN lease_token;
