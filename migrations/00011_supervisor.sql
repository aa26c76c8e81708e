-- Owned by dialog: what supervisors need beyond v1 — a callback outcome is a task for the bank's dialer or CRM,
-- open until someone marks it done, and the export remembers when it first handed each one over.

-- +goose Up
ALTER TABLE outcomes
    ADD COLUMN done_at     timestamptz,
    ADD COLUMN done_by     bigint REFERENCES users (id),
    ADD COLUMN exported_at timestamptz;
CREATE INDEX outcomes_open_callbacks_idx ON outcomes (due_at) WHERE kind = 'callback' AND done_at IS NULL;

-- +goose Down
DROP INDEX outcomes_open_callbacks_idx;
ALTER TABLE outcomes DROP COLUMN done_at, DROP COLUMN done_by, DROP COLUMN exported_at;
