-- Owned by reports (read side): the dashboards' summary tables. Each panel of /reports reads a period's rows of
-- the raw tables (campaign sends, answered client messages, ratings, closed dialogs) and probes each for its
-- lead's reply, consent and conversion: seconds over a year of 10,000,000 messages (docs/BENCHMARKS.md). The
-- rollups below hold the same figures per UTC hour (so the days and hours of any whole-hour zone add up from
-- them), by operator, lead kind, campaign and channel; reports fills them and reads them (reports/rollup.go).
--
-- Exactness: any write that changes an hour's figures, however late (a conversion imported a month after the
-- send, an answer given the next morning, a QA review), records that hour in report_changes, from triggers on the
-- raw tables. A panel reads an hour from its rollup only when no change to it is recorded, and the hours recorded
-- from the raw tables; the refresh recomputes the recorded hours and forgets the changes it saw (one snapshot, so
-- a change committed meanwhile stays recorded). The triggers only append a row: writers never wait on each other.
-- Distinct counts (a lead written to twice, a dialog answered in two hours) are kept exact by each row's previous
-- hour of the same lead or dialog: a row counts in a period when it has none, or one before the period.
--
-- The migration records every hour with data as changed: the first refresh (`dozvon serve` runs one a minute)
-- fills the rollups from the raw tables, and until it has, the panels read those hours raw, as before.

-- +goose Up
CREATE TABLE report_changes (hour timestamptz NOT NULL);
CREATE INDEX report_changes_hour_idx ON report_changes (hour);

-- Client messages answered, by the hour they were written: b0..b15 count the response times up to 5, 10, ... 60 s,
-- 2, 5, 10 min and more (reports.fineLimits), fine enough to find the median's bin, which the operators' median
-- then reads exactly from the raw messages of that bin alone.
CREATE TABLE report_answers (
    hour        timestamptz NOT NULL,
    operator_id bigint NOT NULL,   -- who answered; 0 for nobody recorded
    kind        text NOT NULL,     -- the dialog's lead's kind; '' without a lead
    campaign_id bigint NOT NULL,   -- the dialog's campaign; 0 without one
    channel     text NOT NULL,
    answered    integer NOT NULL,
    in_time     integer NOT NULL,
    b0 integer NOT NULL, b1 integer NOT NULL, b2 integer NOT NULL, b3 integer NOT NULL, b4 integer NOT NULL,
    b5 integer NOT NULL, b6 integer NOT NULL, b7 integer NOT NULL, b8 integer NOT NULL, b9 integer NOT NULL,
    b10 integer NOT NULL, b11 integer NOT NULL, b12 integer NOT NULL, b13 integer NOT NULL, b14 integer NOT NULL,
    b15 integer NOT NULL
);
CREATE INDEX report_answers_hour_idx ON report_answers (hour);

-- Clients' ratings, by the hour they were given; operator is whoever holds the dialog.
CREATE TABLE report_ratings (
    hour        timestamptz NOT NULL,
    operator_id bigint NOT NULL,
    kind        text NOT NULL,
    campaign_id bigint NOT NULL,
    channel     text NOT NULL,
    csat        smallint NOT NULL,
    n           integer NOT NULL
);
CREATE INDEX report_ratings_hour_idx ON report_ratings (hour);

-- QA reviews of the dialogs closed in the hour, by the operator who closed them.
CREATE TABLE report_qa (
    hour        timestamptz NOT NULL,
    operator_id bigint NOT NULL,
    kind        text NOT NULL,
    campaign_id bigint NOT NULL,
    channel     text NOT NULL,
    reviews     integer NOT NULL,
    score_sum   bigint NOT NULL
);
CREATE INDEX report_qa_hour_idx ON report_qa (hour);

-- The funnel's cohort: leads with a campaign message sent in the hour, by campaign and channel, and what became
-- of them (a conversation, whose operators, a consent, a conversion). A lead has one row per campaign, channel
-- and hour it was written to; the previous hour it was written to at all (lead_prev), by that campaign
-- (campaign_prev), on that channel (channel_prev) and by both (cc_prev) make the distinct counts exact. Of a
-- lead's rows in one hour, all but the first carry the hour itself as lead_prev (campaign_prev, channel_prev), so
-- the lead counts once.
CREATE TABLE report_sends (
    hour          timestamptz NOT NULL,
    campaign_id   bigint NOT NULL,
    channel       text NOT NULL,
    kind          text NOT NULL,
    lead_prev     timestamptz,
    campaign_prev timestamptz,
    channel_prev  timestamptz,
    cc_prev       timestamptz,
    replied       boolean NOT NULL,  -- the lead has a conversation
    operators     bigint[] NOT NULL, -- who holds its conversations
    consented     boolean NOT NULL,
    converted     boolean NOT NULL,
    leads         integer NOT NULL
);
CREATE INDEX report_sends_hour_idx ON report_sends (hour);

-- The operators' dialogs: an operator worked a dialog in an hour when they answered a client message written in
-- it or closed the dialog in it; prev_hour is the previous such hour of the same operator and dialog.
CREATE TABLE report_dialogs (
    hour        timestamptz NOT NULL,
    operator_id bigint NOT NULL,
    kind        text NOT NULL,
    campaign_id bigint NOT NULL,
    channel     text NOT NULL,
    prev_hour   timestamptz,
    closed_hour timestamptz,         -- when the dialog was closed (its rating and review count in that period)
    csat        smallint,
    qa          smallint,            -- the review's score, on the rows of the operator who closed it
    consented   boolean NOT NULL,
    converted   boolean NOT NULL,
    n           integer NOT NULL
);
CREATE INDEX report_dialogs_hour_idx ON report_dialogs (hour);

-- What the triggers and the raw reads of changed hours look up: a lead's campaign sends, dialogs closed in an
-- hour, a dialog's consent, and one operator's answers in one response-time bin (the median). Each costs an index entry on the row's
-- way in, none per send attempt.
CREATE INDEX outbox_lead_sent_idx ON outbox (lead_id) INCLUDE (sent_at, campaign_id, channel)
    WHERE campaign_id IS NOT NULL AND state = 'sent';
CREATE INDEX conversations_closed_idx ON conversations (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX outcomes_consent_conversation_idx ON outcomes (conversation_id) WHERE kind = 'consent';
CREATE INDEX conversation_messages_median_idx ON conversation_messages
    (answered_by, width_bucket(response_ms, '{5001,10001,15001,20001,25001,30001,35001,40001,45001,50001,55001,60001,120001,300001,600001}'::integer[]), created_at)
    INCLUDE (response_ms, conversation_id)
    WHERE sla AND answered_at IS NOT NULL;

-- The marking functions join the ids they are given (unnest) rather than test `= ANY (ids)`: a bulk write hands
-- them hundreds of thousands, which ANY would compare row by row against every one. They are PL/pgSQL, whose
-- plans are kept for the session: a SQL function of several statements is planned again on every call, which cost
-- a campaign send recorded as sent about 1 ms of PostgreSQL's time (the row trigger calls them once a row).
-- +goose StatementBegin
CREATE FUNCTION report_mark_hours(hours timestamptz[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_changes (hour)
    SELECT DISTINCT date_trunc('hour', h, 'UTC') FROM unnest(hours) h WHERE h IS NOT NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- A conversation's hours: those of its answered client messages, its closing and its rating.
CREATE FUNCTION report_mark_conversations(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_changes (hour)
    SELECT DISTINCT h FROM (
        SELECT date_trunc('hour', m.created_at, 'UTC') AS h
        FROM unnest(ids) AS i(id) JOIN conversation_messages m ON m.conversation_id = i.id
        WHERE m.sla
        UNION ALL
        SELECT date_trunc('hour', t, 'UTC')
        FROM unnest(ids) AS i(id) JOIN conversations cv ON cv.id = i.id, unnest(ARRAY[cv.closed_at, cv.csat_at]) t
    ) x WHERE h IS NOT NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- A lead's hours: those of its campaign sends, and of its conversations (a conversion counts in its dialogs).
CREATE FUNCTION report_mark_leads(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_changes (hour)
    SELECT DISTINCT date_trunc('hour', o.sent_at, 'UTC') FROM unnest(ids) AS i(id) JOIN outbox o ON o.lead_id = i.id
    WHERE o.campaign_id IS NOT NULL AND o.state = 'sent';
    PERFORM report_mark_conversations(ARRAY(SELECT cv.id FROM unnest(ids) AS i(id) JOIN conversations cv ON cv.lead_id = i.id));
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION report_outbox_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_mark_leads(ARRAY(SELECT DISTINCT lead_id FROM new_rows
                                    WHERE campaign_id IS NOT NULL AND state = 'sent' AND lead_id IS NOT NULL));
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- A campaign send recorded as sent, deleted (rare: updates are report_outbox_updated's, a statement at a time).
CREATE FUNCTION report_outbox_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_mark_hours(ARRAY[OLD.sent_at]);
    PERFORM report_mark_leads(ARRAY[OLD.lead_id]);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- A statement's sends that were or became campaign sends recorded as sent: once per statement, since the sender
-- records its deliveries a batch at a time (a row trigger cost each send a call of its own).
CREATE FUNCTION report_outbox_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_mark_hours(ARRAY(
        SELECT o.sent_at FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.campaign_id IS NOT NULL AND o.state = 'sent'
          AND (o.state, o.sent_at, o.lead_id, o.campaign_id, o.channel)
              IS DISTINCT FROM (n.state, n.sent_at, n.lead_id, n.campaign_id, n.channel)));
    PERFORM report_mark_leads(ARRAY(
        SELECT DISTINCT l FROM old_rows o JOIN new_rows n ON n.id = o.id,
            LATERAL (VALUES (CASE WHEN o.campaign_id IS NOT NULL AND o.state = 'sent' THEN o.lead_id END),
                            (CASE WHEN n.campaign_id IS NOT NULL AND n.state = 'sent' THEN n.lead_id END)) v(l)
        WHERE l IS NOT NULL
          AND (o.state, o.sent_at, o.lead_id, o.campaign_id, o.channel)
              IS DISTINCT FROM (n.state, n.sent_at, n.lead_id, n.campaign_id, n.channel)));
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION report_conversations_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_mark_hours(ARRAY(SELECT t FROM new_rows, unnest(ARRAY[closed_at, csat_at]) t));
    PERFORM report_mark_leads(ARRAY(SELECT DISTINCT lead_id FROM new_rows WHERE lead_id IS NOT NULL));
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION report_conversation_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM report_mark_hours(ARRAY[OLD.closed_at, OLD.csat_at]);
        PERFORM report_mark_conversations(ARRAY[OLD.id]);
        PERFORM report_mark_leads(ARRAY[OLD.lead_id]);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM report_mark_conversations(ARRAY[NEW.id]);
        PERFORM report_mark_leads(ARRAY[NEW.lead_id]);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION report_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_mark_conversations(ARRAY(SELECT DISTINCT conversation_id FROM new_rows
                                            WHERE sla AND answered_at IS NOT NULL));
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION report_message_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.sla THEN
        PERFORM report_mark_hours(ARRAY[OLD.created_at]);
        PERFORM report_mark_conversations(ARRAY[OLD.conversation_id]);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.sla THEN
        PERFORM report_mark_conversations(ARRAY[NEW.conversation_id]);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- An outcome counts for its lead (the funnel, the conversion of its dialogs) and its conversation (the consent).
CREATE FUNCTION report_outcomes_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_mark_leads(ARRAY(SELECT DISTINCT lead_id FROM new_rows WHERE lead_id IS NOT NULL));
    PERFORM report_mark_conversations(ARRAY(SELECT DISTINCT conversation_id FROM new_rows
                                            WHERE conversation_id IS NOT NULL));
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION report_outcome_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM report_mark_leads(ARRAY[OLD.lead_id]);
        PERFORM report_mark_conversations(ARRAY[OLD.conversation_id]);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM report_mark_leads(ARRAY[NEW.lead_id]);
        PERFORM report_mark_conversations(ARRAY[NEW.conversation_id]);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION report_reviews_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_mark_conversations(ARRAY(SELECT conversation_id FROM new_rows));
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION report_review_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM report_mark_conversations(ARRAY[OLD.conversation_id]);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM report_mark_conversations(ARRAY[NEW.conversation_id]);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- Inserts are marked once per statement (a bulk load of the past marks each hour once; a run's enqueue, rows not
-- yet sent, marks nothing); updates only when a column the reports read changes, so the sender's and the
-- console's other writes pay nothing.
CREATE TRIGGER report_outbox_inserted AFTER INSERT ON outbox REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_outbox_inserted();
CREATE TRIGGER report_outbox_updated AFTER UPDATE ON outbox
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_outbox_updated();
CREATE TRIGGER report_outbox_deleted AFTER DELETE ON outbox FOR EACH ROW
    WHEN (OLD.campaign_id IS NOT NULL AND OLD.state = 'sent') EXECUTE FUNCTION report_outbox_changed();

CREATE TRIGGER report_conversations_inserted AFTER INSERT ON conversations REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_conversations_inserted();
CREATE TRIGGER report_conversation_changed AFTER UPDATE ON conversations FOR EACH ROW
    WHEN ((OLD.lead_id, OLD.campaign_id, OLD.operator_id, OLD.channel, OLD.closed_at, OLD.csat, OLD.csat_at)
          IS DISTINCT FROM (NEW.lead_id, NEW.campaign_id, NEW.operator_id, NEW.channel, NEW.closed_at, NEW.csat, NEW.csat_at))
    EXECUTE FUNCTION report_conversation_changed();
CREATE TRIGGER report_conversation_deleted AFTER DELETE ON conversations FOR EACH ROW
    EXECUTE FUNCTION report_conversation_changed();

CREATE TRIGGER report_messages_inserted AFTER INSERT ON conversation_messages REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_messages_inserted();
CREATE TRIGGER report_message_changed AFTER UPDATE ON conversation_messages FOR EACH ROW
    WHEN ((OLD.sla OR NEW.sla) AND (OLD.sla, OLD.answered_at, OLD.answered_by, OLD.response_ms, OLD.created_at, OLD.conversation_id)
          IS DISTINCT FROM (NEW.sla, NEW.answered_at, NEW.answered_by, NEW.response_ms, NEW.created_at, NEW.conversation_id))
    EXECUTE FUNCTION report_message_changed();
CREATE TRIGGER report_message_deleted AFTER DELETE ON conversation_messages FOR EACH ROW
    WHEN (OLD.sla) EXECUTE FUNCTION report_message_changed();

CREATE TRIGGER report_outcomes_inserted AFTER INSERT ON outcomes REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_outcomes_inserted();
CREATE TRIGGER report_outcome_changed AFTER UPDATE ON outcomes FOR EACH ROW
    WHEN ((OLD.kind, OLD.lead_id, OLD.conversation_id) IS DISTINCT FROM (NEW.kind, NEW.lead_id, NEW.conversation_id))
    EXECUTE FUNCTION report_outcome_changed();
CREATE TRIGGER report_outcome_deleted AFTER DELETE ON outcomes FOR EACH ROW
    EXECUTE FUNCTION report_outcome_changed();

CREATE TRIGGER report_reviews_inserted AFTER INSERT ON qa_reviews REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_reviews_inserted();
CREATE TRIGGER report_review_changed AFTER UPDATE ON qa_reviews FOR EACH ROW
    WHEN ((OLD.score, OLD.conversation_id) IS DISTINCT FROM (NEW.score, NEW.conversation_id))
    EXECUTE FUNCTION report_review_changed();
CREATE TRIGGER report_review_deleted AFTER DELETE ON qa_reviews FOR EACH ROW
    EXECUTE FUNCTION report_review_changed();

-- The backfill: every hour with data is recorded as changed, so the first refresh fills it.
INSERT INTO report_changes (hour)
SELECT DISTINCT date_trunc('hour', t, 'UTC') FROM (
    SELECT sent_at FROM outbox WHERE campaign_id IS NOT NULL AND state = 'sent'
    UNION ALL SELECT created_at FROM conversation_messages WHERE sla AND answered_at IS NOT NULL
    UNION ALL SELECT closed_at FROM conversations
    UNION ALL SELECT csat_at FROM conversations
) x(t) WHERE t IS NOT NULL;

-- +goose Down
DROP TRIGGER report_review_deleted ON qa_reviews;
DROP TRIGGER report_review_changed ON qa_reviews;
DROP TRIGGER report_reviews_inserted ON qa_reviews;
DROP TRIGGER report_outcome_deleted ON outcomes;
DROP TRIGGER report_outcome_changed ON outcomes;
DROP TRIGGER report_outcomes_inserted ON outcomes;
DROP TRIGGER report_message_deleted ON conversation_messages;
DROP TRIGGER report_message_changed ON conversation_messages;
DROP TRIGGER report_messages_inserted ON conversation_messages;
DROP TRIGGER report_conversation_deleted ON conversations;
DROP TRIGGER report_conversation_changed ON conversations;
DROP TRIGGER report_conversations_inserted ON conversations;
DROP TRIGGER report_outbox_deleted ON outbox;
DROP TRIGGER report_outbox_updated ON outbox;
DROP TRIGGER report_outbox_inserted ON outbox;
DROP FUNCTION report_review_changed(), report_reviews_inserted(), report_outcome_changed(), report_outcomes_inserted(),
    report_message_changed(), report_messages_inserted(), report_conversation_changed(),
    report_conversations_inserted(), report_outbox_changed(), report_outbox_updated(), report_outbox_inserted(), report_mark_leads(bigint[]),
    report_mark_conversations(bigint[]), report_mark_hours(timestamptz[]);
DROP INDEX conversation_messages_median_idx, outcomes_consent_conversation_idx, conversations_closed_idx,
    outbox_lead_sent_idx;
DROP TABLE report_dialogs, report_sends, report_qa, report_ratings, report_answers, report_changes;
