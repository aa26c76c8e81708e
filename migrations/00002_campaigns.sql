-- Owned by campaigns: what the bank knows about clients and their applications, the leads derived from it, and
-- the campaigns that write to them.

-- +goose Up
CREATE TABLE clients (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id   text NOT NULL UNIQUE,             -- id in the bank's source system; imports upsert on it
    inn           text CHECK (inn ~ '^([0-9]{10}|[0-9]{12})$'),
    company_name  text NOT NULL,
    legal_form    text NOT NULL DEFAULT '',         -- ООО, ИП, АО ...
    contact_name  text NOT NULL DEFAULT '',
    phone         text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),   -- E.164
    email         text NOT NULL DEFAULT '',
    okved         text NOT NULL DEFAULT '' CHECK (okved ~ '^([0-9]{2}(\.[0-9]{1,2}){0,2})?$'),
    okved_extra   text[] NOT NULL DEFAULT '{}',
    region        text NOT NULL DEFAULT '',
    timezone      text NOT NULL DEFAULT 'Europe/Moscow',  -- IANA name; quiet hours are the client's local night
    segment       text NOT NULL DEFAULT '',
    attributes    jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clients_phone_idx ON clients (phone);
CREATE INDEX clients_inn_idx ON clients (inn);

CREATE TABLE applications (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id  text NOT NULL UNIQUE,
    client_id    bigint NOT NULL REFERENCES clients (id),
    product      text NOT NULL CHECK (product IN ('rko', 'acquiring')),
    status       text NOT NULL DEFAULT 'new'
                 CHECK (status IN ('new', 'in_progress', 'meeting_booked', 'account_opened', 'rejected', 'closed')),
    channel      text NOT NULL DEFAULT '',
    field_manager text NOT NULL DEFAULT '',
    submitted_at timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX applications_client_idx ON applications (client_id);
CREATE INDEX applications_status_idx ON applications (status, submitted_at);

-- The application's history as the bank's systems report it: call attempts and their results, meetings,
-- account openings, acquiring connections.
CREATE TABLE application_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id    text UNIQUE,
    application_id bigint NOT NULL REFERENCES applications (id),
    kind           text NOT NULL CHECK (kind IN ('call_attempt', 'call_answered', 'meeting_booked',
                   'meeting_held', 'account_opened', 'acquiring_connected', 'status_changed')),
    result         text NOT NULL DEFAULT '',        -- no_answer, busy, rejected ... for call attempts
    occurred_at    timestamptz NOT NULL,
    payload        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX application_events_app_idx ON application_events (application_id, kind, occurred_at);

CREATE TABLE leads (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id      bigint NOT NULL REFERENCES clients (id),
    application_id bigint REFERENCES applications (id),
    kind           text NOT NULL CHECK (kind IN ('missed_call', 'follow_up', 'acquiring')),
    status         text NOT NULL DEFAULT 'new'
                   CHECK (status IN ('new', 'offered', 'replied', 'consented', 'converted', 'refused', 'closed')),
    eligible_at    timestamptz NOT NULL DEFAULT now(),
    attributes     jsonb NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
-- One live lead of a kind per application: re-deriving leads must not duplicate them.
CREATE UNIQUE INDEX leads_kind_application_key ON leads (kind, application_id) WHERE application_id IS NOT NULL;
CREATE INDEX leads_kind_eligible_idx ON leads (kind, eligible_at);
CREATE INDEX leads_client_idx ON leads (client_id);

CREATE TABLE message_templates (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,
    body       text NOT NULL,                        -- Go text/template; values are escaped for Telegram HTML
    buttons    jsonb NOT NULL DEFAULT '[]',          -- [{"text": "...", "action": "route|callback|opt_out|reply", ...}]
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaigns (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL,
    lead_kind       text NOT NULL CHECK (lead_kind IN ('missed_call', 'follow_up', 'acquiring')),
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused', 'cancelled', 'finished')),
    audience        jsonb NOT NULL DEFAULT '{}',     -- rules: lead age, attempts, OKVED include/exclude, regions ...
    template_id     bigint REFERENCES message_templates (id),
    schedule        text NOT NULL DEFAULT '',        -- cron expression, may start with CRON_TZ=
    quiet_from      time NOT NULL DEFAULT '21:00',   -- in the client's time zone
    quiet_to        time NOT NULL DEFAULT '09:00',
    frequency_cap   interval NOT NULL DEFAULT '7 days',
    created_by      bigint REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaign_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id bigint NOT NULL REFERENCES campaigns (id),
    slot        timestamptz NOT NULL,                -- the scheduled time; one run per slot across instances
    trigger     text NOT NULL DEFAULT 'schedule' CHECK (trigger IN ('schedule', 'manual')),
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
    audience    integer NOT NULL DEFAULT 0,
    enqueued    integer NOT NULL DEFAULT 0,
    error       text NOT NULL DEFAULT '',
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    UNIQUE (campaign_id, slot)
);

-- +goose Down
DROP TABLE campaign_runs, campaigns, message_templates, leads, application_events, applications, clients;
