package reports

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"
)

// The dashboards read the summary tables of migration 00032 (report_answers, report_ratings, report_qa,
// report_sends, report_dialogs), one row set per UTC hour, for every hour with no change recorded in
// report_changes since the last refresh; the hours with one they read from the raw tables, with the very SELECT
// the refresh fills the rollup with. So a panel's figures are always the raw tables' own, the same query's
// whichever way an hour is read. A period or a zone not cut at whole UTC hours is read raw altogether.

// fineLimits are the upper ends (each included) of report_answers' response-time bins b0..b15: every 5 s up to a
// minute, then ResponseLimits' 2, 5 and 10 minutes; the last bin holds the slower answers. Every ResponseLimit is
// one of them, so the shape's bins add up from these; fineLimitsSQL is the array the migration's index holds.
var fineLimits = []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second, 20 * time.Second,
	25 * time.Second, 30 * time.Second, 35 * time.Second, 40 * time.Second, 45 * time.Second, 50 * time.Second,
	55 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute}

const fineLimitsSQL = `'{5001,10001,15001,20001,25001,30001,35001,40001,45001,50001,55001,60001,120001,300001,600001}'::integer[]`

// fineBin is the SQL of a response time's bin among fineLimits (width_bucket counts the limits, plus one ms, at
// or under it: 60,000 ms is in the "up to 60 s" bin).
const fineBin = `width_bucket(m.response_ms, ` + fineLimitsSQL + `)`

// binColumns are report_answers' bins, binSums their sums over rows s, binCounts their counts over raw messages m.
var binColumns, binSums, binCounts = binSQL()

func binSQL() (columns, sums, counts string) {
	var cols, sum, count []string
	for i := 0; i <= len(fineLimits); i++ {
		cols = append(cols, "b"+strconv.Itoa(i))
		sum = append(sum, "coalesce(sum(s.b"+strconv.Itoa(i)+"), 0)")
		count = append(count, fmt.Sprintf("(count(*) FILTER (WHERE %s = %d))::int", fineBin, i))
	}
	return strings.Join(cols, ", "), strings.Join(sum, ", "), strings.Join(count, ", ")
}

// The raw SELECTs of each rollup, over the UTC hours of a relation `hours (hour)`, in the rollup's columns. Each
// hour is read by itself (a lateral subquery the planner may not flatten, OFFSET 0): joined, a range of an unknown
// hour was estimated at a third of the table, and the plan read all of it. For the same reason the lookups of a
// lead's or dialog's outcomes are kept per row (OFFSET 0), not hashed over the whole outcomes table.
var (
	answersColumns = `hour, operator_id, kind, campaign_id, channel, answered, in_time, ` + binColumns
	answersRaw     = `
	SELECT date_trunc('hour', m.created_at, 'UTC'), coalesce(m.answered_by, 0), coalesce(l.kind, ''),
	       coalesce(cv.campaign_id, 0), cv.channel, count(*)::int,
	       (count(*) FILTER (WHERE m.response_ms <= 60000))::int, ` + binCounts + `
	FROM hours h CROSS JOIN LATERAL (
	    SELECT * FROM conversation_messages WHERE created_at >= h.hour AND created_at < h.hour + interval '1 hour' AND sla AND answered_at IS NOT NULL OFFSET 0) m
	JOIN conversations cv ON cv.id = m.conversation_id ` + kindOfLead + `
	WHERE m.sla AND m.answered_at IS NOT NULL
	GROUP BY 1, 2, 3, 4, 5`

	ratingsColumns = `hour, operator_id, kind, campaign_id, channel, csat, n`
	ratingsRaw     = `
	SELECT date_trunc('hour', cv.csat_at, 'UTC'), coalesce(cv.operator_id, 0), coalesce(l.kind, ''),
	       coalesce(cv.campaign_id, 0), cv.channel, cv.csat, count(*)::int
	FROM hours h CROSS JOIN LATERAL (
	    SELECT * FROM conversations WHERE csat_at >= h.hour AND csat_at < h.hour + interval '1 hour' AND csat IS NOT NULL OFFSET 0) cv
	` + kindOfLead + `
	WHERE cv.csat IS NOT NULL
	GROUP BY 1, 2, 3, 4, 5, 6`

	qaColumns = `hour, operator_id, kind, campaign_id, channel, reviews, score_sum`
	qaRaw     = `
	SELECT date_trunc('hour', cv.closed_at, 'UTC'), coalesce(cv.operator_id, 0), coalesce(l.kind, ''),
	       coalesce(cv.campaign_id, 0), cv.channel, count(*)::int, sum(q.score)::bigint
	FROM hours h CROSS JOIN LATERAL (
	    SELECT * FROM conversations WHERE closed_at >= h.hour AND closed_at < h.hour + interval '1 hour' OFFSET 0) cv
	JOIN qa_reviews q ON q.conversation_id = cv.id ` + kindOfLead + `
	GROUP BY 1, 2, 3, 4, 5`

	// A lead's rows of one hour are ranked by campaign and channel: the first carries the previous hour the lead
	// was written to, the others the hour itself (and likewise within a campaign, and within a channel).
	sendsColumns = `hour, campaign_id, channel, kind, lead_prev, campaign_prev, channel_prev, cc_prev, replied,
	operators, consented, converted, leads`
	sendsRaw = `
	SELECT s.hour, s.campaign_id, s.channel, l.kind,
	       CASE WHEN row_number() OVER (PARTITION BY s.hour, s.lead_id ORDER BY s.campaign_id, s.channel) = 1
	            THEN date_trunc('hour', p.lead_prev, 'UTC') ELSE s.hour END,
	       CASE WHEN row_number() OVER (PARTITION BY s.hour, s.lead_id, s.campaign_id ORDER BY s.channel) = 1
	            THEN date_trunc('hour', p.campaign_prev, 'UTC') ELSE s.hour END,
	       CASE WHEN row_number() OVER (PARTITION BY s.hour, s.lead_id, s.channel ORDER BY s.campaign_id) = 1
	            THEN date_trunc('hour', p.channel_prev, 'UTC') ELSE s.hour END,
	       date_trunc('hour', p.cc_prev, 'UTC'),
	       EXISTS (SELECT FROM conversations cv WHERE cv.lead_id = s.lead_id OFFSET 0),
	       ARRAY(SELECT DISTINCT cv.operator_id FROM conversations cv
	             WHERE cv.lead_id = s.lead_id AND cv.operator_id IS NOT NULL ORDER BY 1),
	       EXISTS (SELECT FROM outcomes oc WHERE oc.lead_id = s.lead_id AND oc.kind = 'consent' OFFSET 0),
	       EXISTS (SELECT FROM outcomes oc WHERE oc.lead_id = s.lead_id
	               AND oc.kind = CASE l.kind WHEN 'acquiring' THEN 'acquiring_connected' ELSE 'account_opened' END OFFSET 0),
	       1
	FROM (SELECT DISTINCT date_trunc('hour', o.sent_at, 'UTC') AS hour, o.lead_id, o.campaign_id, o.channel
	      FROM hours h CROSS JOIN LATERAL (
	    SELECT * FROM outbox WHERE sent_at >= h.hour AND sent_at < h.hour + interval '1 hour' AND campaign_id IS NOT NULL AND state = 'sent' OFFSET 0) o
	      WHERE o.campaign_id IS NOT NULL AND o.state = 'sent') s
	JOIN leads l ON l.id = s.lead_id
	CROSS JOIN LATERAL (
	    SELECT max(p.sent_at) AS lead_prev,
	           max(p.sent_at) FILTER (WHERE p.campaign_id = s.campaign_id) AS campaign_prev,
	           max(p.sent_at) FILTER (WHERE p.channel = s.channel) AS channel_prev,
	           max(p.sent_at) FILTER (WHERE p.campaign_id = s.campaign_id AND p.channel = s.channel) AS cc_prev
	    FROM outbox p WHERE p.lead_id = s.lead_id AND p.campaign_id IS NOT NULL AND p.state = 'sent'
	      AND p.sent_at < s.hour
	) p`

	// An operator worked a dialog in an hour when they answered a client message written in it or closed the
	// dialog in it (as its holder).
	dialogsColumns = `hour, operator_id, kind, campaign_id, channel, prev_hour, closed_hour, csat, qa, consented,
	converted, n`
	dialogsRaw = `
	SELECT a.hour, a.operator_id, coalesce(l.kind, ''), coalesce(cv.campaign_id, 0), cv.channel,
	       greatest(
	           (SELECT date_trunc('hour', max(m.created_at), 'UTC') FROM conversation_messages m
	            WHERE m.conversation_id = a.conversation_id AND m.sla AND m.answered_at IS NOT NULL
	              AND m.answered_by = a.operator_id AND m.created_at < a.hour),
	           CASE WHEN cv.operator_id = a.operator_id AND cv.closed_at < a.hour
	                THEN date_trunc('hour', cv.closed_at, 'UTC') END),
	       date_trunc('hour', cv.closed_at, 'UTC'), cv.csat, CASE WHEN cv.operator_id = a.operator_id THEN q.score END,
	       EXISTS (SELECT FROM outcomes oc WHERE oc.conversation_id = cv.id AND oc.kind = 'consent' OFFSET 0),
	       EXISTS (SELECT FROM outcomes oc WHERE oc.lead_id = cv.lead_id
	               AND oc.kind = CASE l.kind WHEN 'acquiring' THEN 'acquiring_connected' ELSE 'account_opened' END OFFSET 0),
	       1
	FROM (
	    SELECT m.conversation_id, m.answered_by AS operator_id, date_trunc('hour', m.created_at, 'UTC') AS hour
	    FROM hours h CROSS JOIN LATERAL (
	    SELECT * FROM conversation_messages WHERE created_at >= h.hour AND created_at < h.hour + interval '1 hour' AND sla AND answered_at IS NOT NULL OFFSET 0) m
	    WHERE m.sla AND m.answered_at IS NOT NULL AND m.answered_by IS NOT NULL
	    UNION
	    SELECT cv.id, cv.operator_id, date_trunc('hour', cv.closed_at, 'UTC')
	    FROM hours h CROSS JOIN LATERAL (
	    SELECT * FROM conversations WHERE closed_at >= h.hour AND closed_at < h.hour + interval '1 hour' OFFSET 0) cv
	    WHERE cv.operator_id IS NOT NULL
	) a
	CROSS JOIN LATERAL (
	    SELECT * FROM conversations WHERE id = a.conversation_id OFFSET 0) cv
	` + kindOfLead + `
	LEFT JOIN LATERAL (SELECT score FROM qa_reviews WHERE conversation_id = cv.id OFFSET 0) q ON true`
)

// kindOfLead joins a dialog cv's lead l, for its kind, one lookup a row: hashed, a few hundred dialogs of a
// changed hour were joined to a scan of all the leads (0.3 s at 2,000,000) when the estimate of them was off.
const kindOfLead = `LEFT JOIN LATERAL (SELECT kind FROM leads WHERE id = cv.lead_id OFFSET 0) l ON true`

// A rollup's raw SELECT is either grouped already, or (count != "") one row per lead or dialog, which the refresh
// adds up: rows alike but for the lead become one, their count summed.
type rollup struct{ table, columns, raw, count string }

var rollups = []rollup{
	{"report_answers", answersColumns, answersRaw, ""},
	{"report_ratings", ratingsColumns, ratingsRaw, ""},
	{"report_qa", qaColumns, qaRaw, ""},
	{"report_sends", sendsColumns, sendsRaw, "leads"},
	{"report_dialogs", dialogsColumns, dialogsRaw, "n"},
}

// grouped is r's raw SELECT as the refresh stores it.
func (r rollup) grouped() string {
	if r.count == "" {
		return r.raw
	}
	keys := strings.TrimSuffix(strings.TrimSpace(r.columns), r.count)
	keys = strings.TrimSuffix(strings.TrimSpace(keys), ",")
	return `SELECT ` + keys + `, sum(` + r.count + `)::int FROM (` + r.raw + `) x (` + r.columns + `) GROUP BY ` + keys
}

// rolled is the rows of a rollup for the hours of [$1, $2): its own, but for the hours in which a change was
// recorded (the array parameter named by changed, "" when there are none), which it reads from the raw tables.
func rolled(table, changed string) string {
	for _, r := range rollups {
		if r.table != table {
			continue
		}
		own := `SELECT ` + r.columns + ` FROM ` + r.table + ` r WHERE r.hour >= $1 AND r.hour < $2`
		if changed == "" {
			return `(` + own + `)`
		}
		return `(` + own + ` AND r.hour <> ALL (` + changed + `::timestamptz[])
		 UNION ALL
		 SELECT * FROM (WITH hours AS (SELECT unnest(` + changed + `::timestamptz[]) AS hour) ` + r.raw + `) raw)`
	}
	panic("reports: no rollup " + table)
}

// variants are a panel's query on the rollups with no change recorded in its period, and with some (their hours
// as its last parameter).
type variants struct{ unchanged, changed string }

// variantsOf builds both variants of a panel's query from rolled; changed names the parameter of the hours.
func variantsOf(changed string, build func(src func(table string) string) string) variants {
	return variants{
		unchanged: build(func(table string) string { return rolled(table, "") }),
		changed:   build(func(table string) string { return rolled(table, changed) }),
	}
}

// snapshotRows are a query's rows in a read-only transaction of their own, which closing them ends.
type snapshotRows struct {
	pgx.Rows
	ctx context.Context
	tx  pgx.Tx
}

func (r snapshotRows) Close() {
	r.Rows.Close()
	_ = r.tx.Rollback(r.ctx)
}

// panelQuery runs a panel's query: from the rollups when rolled is set (the period is cut at whole hours), else
// raw. The rollups are read in one snapshot with the hours changed since the last refresh, and without JIT (its
// compiling took seconds on these queries, which run in milliseconds).
func (rp *Reports) panelQuery(ctx context.Context, f Filter, rolled *variants, rolledArgs []any, raw string, rawArgs []any) (pgx.Rows, error) {
	if rolled == nil {
		return rp.pool.Query(ctx, raw, rawArgs...)
	}
	tx, err := rp.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := queryRolled(ctx, tx, f.Period, rolled, rolledArgs)
	if err != nil {
		_ = tx.Rollback(ctx)
		return nil, err
	}
	return snapshotRows{Rows: rows, ctx: ctx, tx: tx}, nil
}

// queryRolled runs the variant of a panel's query that period needs in tx: the hours changed since the last
// refresh, if any, as its last argument.
func queryRolled(ctx context.Context, tx pgx.Tx, period Period, rolled *variants, args []any) (pgx.Rows, error) {
	changed, err := changedHours(ctx, tx, period)
	if err != nil {
		return nil, err
	}
	query := rolled.unchanged
	if len(changed) > 0 {
		query, args = rolled.changed, append(args, changed)
	}
	return tx.Query(ctx, query, args...)
}

func (rp *Reports) snapshot(ctx context.Context) (pgx.Tx, error) {
	tx, err := rp.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
		_ = tx.Rollback(ctx)
		return nil, err
	}
	return tx, nil
}

func changedHours(ctx context.Context, tx pgx.Tx, p Period) ([]time.Time, error) {
	var hours []time.Time
	err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(DISTINCT hour), '{}') FROM report_changes
		WHERE hour >= $1 AND hour < $2`, p.From, p.To).Scan(&hours)
	return hours, err
}

// dimsWhere narrows rollup rows s by kind, campaign and channel, as dialogWhere does the raw rows.
const dimsWhere = `($3::text = '' OR s.kind = $3::text) AND ($4::bigint = 0 OR s.campaign_id = $4::bigint)
	AND ($6::text = '' OR s.channel = $6::text)`

// hourly tells whether the rollups can serve periods ps: each starts and ends at a whole UTC hour.
func (rp *Reports) hourly(ps ...Period) bool {
	if rp.FromRaw {
		return false
	}
	for _, p := range ps {
		if !p.From.Equal(p.From.Truncate(time.Hour)) || !p.To.Equal(p.To.Truncate(time.Hour)) {
			return false
		}
	}
	return true
}

// rollupLock is the advisory lock an instance holds while it refreshes: several `dozvon serve` share one
// database, and one refresh at a time is enough (another finds the lock taken and leaves it to the holder).
const rollupLock = `hashtext('dozvon.report_rollup')`

// refreshBatch is how many hours one refresh transaction recomputes (a month; the backfill takes several).
const refreshBatch = 24 * 31

// RefreshRollup recomputes, from the raw tables, the rollups' hours in which a change was recorded, and forgets
// the changes it saw. It returns the hours recomputed, 0 when another instance holds the refresh. Each batch is
// one snapshot (repeatable read): a change committed while it runs stays recorded for the next refresh, and until
// then the panels read its hour raw.
func (rp *Reports) RefreshRollup(ctx context.Context) (int, error) {
	conn, err := rp.pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("reports: refresh rollup: %w", err)
	}
	defer conn.Release()
	var mine bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+rollupLock+`)`).Scan(&mine); err != nil || !mine {
		if err != nil {
			return 0, fmt.Errorf("reports: refresh rollup: lock: %w", err)
		}
		return 0, nil
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+rollupLock+`)`)
	total := 0
	for {
		n, err := refreshBatchOf(ctx, conn.Conn())
		total += n
		if err != nil || n < refreshBatch {
			return total, err
		}
	}
}

func refreshBatchOf(ctx context.Context, conn *pgx.Conn) (int, error) {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return 0, fmt.Errorf("reports: refresh rollup: %w", err)
	}
	defer tx.Rollback(ctx)
	var hours []time.Time
	if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(hour ORDER BY hour), '{}') FROM
		(SELECT DISTINCT hour FROM report_changes ORDER BY hour LIMIT $1) h`, refreshBatch).Scan(&hours); err != nil {
		return 0, fmt.Errorf("reports: refresh rollup: changes: %w", err)
	}
	if len(hours) == 0 {
		return 0, nil
	}
	for _, r := range rollups {
		if _, err := tx.Exec(ctx, `DELETE FROM `+r.table+` WHERE hour = ANY ($1)`, hours); err != nil {
			return 0, fmt.Errorf("reports: refresh %s: %w", r.table, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+r.table+` (`+r.columns+`)
			WITH hours AS (SELECT unnest($1::timestamptz[]) AS hour) `+r.grouped(), hours); err != nil {
			return 0, fmt.Errorf("reports: refresh %s: %w", r.table, err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM report_changes WHERE hour = ANY ($1)`, hours); err != nil {
		return 0, fmt.Errorf("reports: refresh rollup: forget changes: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("reports: refresh rollup: %w", err)
	}
	return len(hours), nil
}

// RollupEvery is how often `dozvon serve` refreshes the rollups: the hours changed since are read raw meanwhile,
// so it bounds how much a panel reads raw, not how current it is.
const RollupEvery = time.Minute

// RunRollup refreshes the rollups every RollupEvery until ctx ends (the first at once: after the migration, that
// is the backfill).
func (rp *Reports) RunRollup(ctx context.Context, log zerolog.Logger) error {
	t := time.NewTicker(RollupEvery)
	defer t.Stop()
	for {
		began := time.Now()
		if n, err := rp.RefreshRollup(ctx); err != nil && ctx.Err() == nil {
			log.Warn().Err(err).Msg("report rollup refresh failed")
		} else if n > 0 {
			log.Debug().Int("hours", n).Dur("took", time.Since(began)).Msg("report rollup refreshed")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
