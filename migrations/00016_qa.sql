-- Owned by dialog: supervisors' quality reviews of closed dialogs. One review per conversation: a second review
-- replaces the first, so the row says who reviewed it last and when. The score is computed by dialog from the
-- checklist's answers (item key → passed) and kept beside them, so reports read it without knowing the weights.

-- +goose Up
CREATE TABLE qa_reviews (
    conversation_id bigint PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    reviewer_id     bigint NOT NULL REFERENCES users (id),
    score           smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
    answers         jsonb NOT NULL,
    comment         text NOT NULL DEFAULT '',
    reviewed_at     timestamptz NOT NULL
);

-- +goose Down
DROP TABLE qa_reviews;
