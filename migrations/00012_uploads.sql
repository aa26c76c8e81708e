-- Owned by campaigns/imports: files a campaign manager uploaded, kept between their preview and their import.
-- They live in the database, not on one instance's disk, so that the preview, the import and the check after a
-- dry run may each land on any instance behind the load balancer. A file is stored in chunks of up to 1 MiB, read
-- back one at a time, and kept a day.

-- +goose Up
CREATE TABLE uploads (
    id         text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
    user_id    bigint NOT NULL REFERENCES users (id),
    name       text NOT NULL DEFAULT '',
    dataset    text NOT NULL DEFAULT '',
    size       bigint NOT NULL DEFAULT 0,
    -- false while the bytes arrive; an upload cut off half way is never shown and is swept with the old ones
    complete   boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uploads_created_at_idx ON uploads (created_at);

CREATE TABLE upload_chunks (
    upload_id text NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    seq       integer NOT NULL,
    data      bytea NOT NULL,
    PRIMARY KEY (upload_id, seq)
);
-- Kept a day and read once or twice: compressing a few hundred megabytes on the way in costs more than it saves.
ALTER TABLE upload_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- +goose Down
DROP TABLE upload_chunks, uploads;
