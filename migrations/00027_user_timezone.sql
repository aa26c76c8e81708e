-- Owned by auth: each user's time zone, in which every page shows times (IANA name; '' is the installation's,
-- DOZVON_TIMEZONE). The audit log is filtered by
-- action too (by time it has an index already).

-- +goose Up
ALTER TABLE users ADD COLUMN timezone text NOT NULL DEFAULT '';
CREATE INDEX audit_log_action_idx ON audit_log (action, id);

-- +goose Down
DROP INDEX audit_log_action_idx;
ALTER TABLE users DROP COLUMN timezone;
