-- Owned by messenger: what clients send that is more than words.
--
-- An update PostgreSQL cannot take as sent (a \u0000 or a lone surrogate such as \ud83d in a string, bytes that
-- are not UTF-8) is still stored: its payload is the update cleaned (each such character replaced with U+FFFD),
-- raw keeps the bytes exactly as they arrived, and fault says what was wrong. raw is NULL for the usual update,
-- whose payload is the update as sent.
--
-- Files clients send (photos, documents, voice ...) are fetched from the messenger after the update is processed
-- and kept here, in chunks of up to 1 MiB like uploads (00012), so that every instance can serve them. A file over
-- the size limit is recorded with its name and size and never fetched.

-- +goose Up
ALTER TABLE inbox
    ADD COLUMN raw bytea,
    ADD COLUMN fault text NOT NULL DEFAULT '';

CREATE TABLE inbound_files (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- the update that brought it and its place among the message's files: a re-handled update registers nothing twice
    update_id    bigint NOT NULL,
    seq          smallint NOT NULL,
    kind         text NOT NULL,                    -- photo, document, voice, video, audio, animation, video_note, sticker
    remote_id    text NOT NULL,                    -- the messenger's id to fetch it by (Telegram's file_id)
    name         text NOT NULL DEFAULT '',
    mime         text NOT NULL DEFAULT '',
    size         bigint NOT NULL DEFAULT 0,        -- as the messenger announced it (0: unknown), then as stored
    state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'ready', 'too_large', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    not_before   timestamptz NOT NULL DEFAULT now(),
    lease_until  timestamptz,
    last_error   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    fetched_at   timestamptz,
    UNIQUE (update_id, seq)
);
CREATE INDEX inbound_files_pending_idx ON inbound_files (not_before, id) WHERE state = 'pending';

CREATE TABLE inbound_file_chunks (
    file_id bigint NOT NULL REFERENCES inbound_files (id) ON DELETE CASCADE,
    seq     integer NOT NULL,
    data    bytea NOT NULL,
    PRIMARY KEY (file_id, seq)
);
-- Photos and documents are compressed already.
ALTER TABLE inbound_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- +goose Down
DROP TABLE inbound_file_chunks, inbound_files;
ALTER TABLE inbox DROP COLUMN fault, DROP COLUMN raw;
