-- Owned by internal/auth: a password that was printed where others may have read it (the demo team's, in the log
-- of the start that seeded it). It is not a temporary password, which blocks every page until it is changed; while
-- this is set, every page asks the user to change it. Any change of the password clears it.

-- +goose Up
ALTER TABLE users ADD COLUMN password_printed boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE users DROP COLUMN password_printed;
