-- Owned by campaigns/imports: the history of lead-source imports — files a campaign manager uploaded and batches
-- the bank's systems pushed through the API — with their progress while they run and their problems after.

-- +goose Up
CREATE TABLE imports (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dataset       text NOT NULL CHECK (dataset IN ('clients', 'applications', 'events')),
    source        text NOT NULL CHECK (source IN ('file', 'api')),
    file_name     text NOT NULL DEFAULT '',
    user_id       bigint REFERENCES users (id),
    token_id      bigint REFERENCES api_tokens (id),
    dry_run       boolean NOT NULL DEFAULT false,
    status        text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
    rows_done     bigint NOT NULL DEFAULT 0,       -- updated after every batch while the import runs
    bytes_done    bigint NOT NULL DEFAULT 0,
    inserted      bigint NOT NULL DEFAULT 0,
    updated       bigint NOT NULL DEFAULT 0,
    unchanged     bigint NOT NULL DEFAULT 0,
    rejected      bigint NOT NULL DEFAULT 0,
    problem_count bigint NOT NULL DEFAULT 0,
    problems      jsonb NOT NULL DEFAULT '[]',     -- the first 1000: [{"line", "field", "column", "value", "reason"}]
    error         text NOT NULL DEFAULT '',        -- why a failed import stopped
    started_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(), -- a running import that stops updating this has died
    finished_at   timestamptz
);
CREATE INDEX imports_started_idx ON imports (started_at DESC);

-- +goose Down
DROP TABLE imports;
