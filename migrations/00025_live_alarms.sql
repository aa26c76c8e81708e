-- Owned by dialog: the live board's alarms — a client waiting with no operator online, a client message past the
-- SLA now, a queue longer than its threshold. An alarm is one row from when its condition began until it ended
-- (cleared_at), so every instance shows the same alarms and whoever acknowledged one, and when, is kept. At most
-- one alarm of a kind (per queue) is open at a time; a new one after an acknowledged one is a new row, which
-- sounds again.
-- +goose Up
CREATE TABLE live_alarms (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('no_operator', 'sla_breach', 'queue_over')),
    queue_id        bigint REFERENCES queues (id) ON DELETE CASCADE, -- queue_over only
    since           timestamptz NOT NULL,   -- when the condition began, as the data tells it
    raised_at       timestamptz NOT NULL,   -- when the alarm was raised
    latest          timestamptz NOT NULL,   -- the newest cause (a client's message, a breach): newer than an
                                            -- acknowledgement, it raises the alarm again
    count           integer NOT NULL,       -- clients waiting, dialogs in breach, the queue's length
    acknowledged_by bigint REFERENCES users (id),
    acknowledged_at timestamptz,
    cleared_at      timestamptz
);
CREATE UNIQUE INDEX live_alarms_open_key ON live_alarms (kind, coalesce(queue_id, 0)) WHERE cleared_at IS NULL;
CREATE INDEX live_alarms_raised_idx ON live_alarms (raised_at);
-- How many clients may wait in a queue before the board raises an alarm; supervisors change it on /live.
ALTER TABLE queues ADD COLUMN alarm_threshold integer NOT NULL DEFAULT 10 CHECK (alarm_threshold BETWEEN 1 AND 10000);
-- +goose Down
ALTER TABLE queues DROP COLUMN alarm_threshold;
DROP TABLE live_alarms;
