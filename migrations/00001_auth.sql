-- Owned by internal/auth: who may log in, their sessions, API tokens and the audit trail.

-- +goose Up
CREATE TABLE users (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login                text NOT NULL CHECK (login ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    display_name         text NOT NULL DEFAULT '',
    role                 text NOT NULL CHECK (role IN ('operator', 'manager', 'supervisor', 'admin')),
    locale               text NOT NULL DEFAULT 'ru' CHECK (locale IN ('en', 'ru')),
    password_hash        text NOT NULL,
    must_change_password boolean NOT NULL DEFAULT false,
    active               boolean NOT NULL DEFAULT true,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    last_login_at        timestamptz
);
CREATE UNIQUE INDEX users_login_key ON users (login);

-- The session store's table, in the shape github.com/alexedwards/scs/pgxstore expects.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed and successful logins, kept so that throttling works across every instance sharing the database.
CREATE TABLE login_attempts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login      text NOT NULL,
    remote_ip  inet,
    succeeded  boolean NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_login_at_idx ON login_attempts (login, at);
CREATE INDEX login_attempts_ip_at_idx ON login_attempts (remote_ip, at);

-- Tokens for the bank systems that push leads through the JSON API; only a hash is stored.
CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    scopes       text[] NOT NULL DEFAULT '{}',
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    user_id    bigint REFERENCES users (id),
    actor      text NOT NULL,
    action     text NOT NULL,
    object     text NOT NULL DEFAULT '',
    detail     jsonb NOT NULL DEFAULT '{}',
    remote_ip  inet
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

-- +goose Down
DROP TABLE audit_log, api_tokens, login_attempts, sessions, users;
