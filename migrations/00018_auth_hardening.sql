-- Owned by internal/auth: sessions stored by a hash of their token, and login throttling that counts an attempt
-- before the password is checked.
--
-- A session row held its cookie's token in clear: whoever could read the table (a backup, a database login) could
-- use any session. Rows are now found by the token's SHA-256, as API tokens are, and carry the user, so that a
-- password change or reset can end that user's other sessions. Existing sessions cannot be converted (their user
-- is inside scs's encoded data), so they are dropped: everyone signs in again once.
--
-- login_attempts counted failures after the fact, so parallel guesses all passed the check before any was
-- recorded. login_throttle has one row per login and per client address, updated under a row lock before the
-- password is checked (internal/auth/login.go).

-- +goose Up
DROP TABLE sessions;
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    user_id    bigint REFERENCES users (id) ON DELETE CASCADE,
    data       bytea NOT NULL,
    expiry     timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);
CREATE INDEX sessions_user_idx ON sessions (user_id);

DROP TABLE login_attempts;
CREATE TABLE login_throttle (
    key      text PRIMARY KEY, -- 'login:ivanova' or 'addr:10.1.2.3' (an IPv6 client by its /64)
    failures integer NOT NULL,
    first_at timestamptz NOT NULL,
    last_at  timestamptz NOT NULL
);
CREATE INDEX login_throttle_last_at_idx ON login_throttle (last_at);

-- +goose Down
DROP TABLE login_throttle;
CREATE TABLE login_attempts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login      text NOT NULL,
    remote_ip  inet,
    succeeded  boolean NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_login_at_idx ON login_attempts (login, at);
CREATE INDEX login_attempts_ip_at_idx ON login_attempts (remote_ip, at);

DROP TABLE sessions;
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);
