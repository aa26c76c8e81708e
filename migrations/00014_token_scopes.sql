-- Owned by internal/auth: what an API token may do. Until now every token could only push records (imports); the
-- dialer's read of callback tasks hands out clients' phones, so a token gets it only when an administrator says
-- so. Tokens issued before keep what they could do.

-- +goose Up
UPDATE api_tokens SET scopes = '{imports}' WHERE scopes = '{}';
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_check
    CHECK (scopes <> '{}' AND scopes <@ ARRAY['imports', 'callbacks']);

-- +goose Down
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_check;
