package reports

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The dialogs behind a figure: every figure of the report counts conversations (or the leads whose conversation
// it is) picked by a period and a few conditions; DialogFilter names the same conditions, so that the list it
// gives has as many rows as the figure says. It also draws the QA sample: a few random closed dialogs per operator
// that nobody has reviewed yet.

// What a DialogFilter's period applies to: each figure of the report reads its period differently.
const (
	// ByWritten: the lead was written to by a campaign in the period (the funnel's cohort); one row per lead,
	// its latest conversation, as the funnel counts leads.
	ByWritten = "written"
	// ByWorked: closed in the period, or a client message written in it was answered (by the operator, when
	// one is named): the operators table's dialogs.
	ByWorked = "worked"
	// ByClosed: closed in the period (by the operator, when one is named): QA, ratings.
	ByClosed = "closed"
	// ByMessages: a client message written in the period was answered (by the operator, when one is named): the
	// service table's answered messages and their first-minute SLA.
	ByMessages = "messages"
	// ByRated: the client rated the dialog in the period: the service table's ratings by day.
	ByRated = "rated"
)

// Bases lists the periods' meanings in the order the list's form offers them.
var Bases = []string{ByWorked, ByWritten, ByClosed, ByMessages, ByRated}

// OutcomeKinds are the outcomes a dialog may record, in the order lists offer them.
var OutcomeKinds = []string{"consent", "refusal", "callback", "meeting", "account_opened", "acquiring_connected"}

// SLASeconds is the first-minute SLA the report counts: a client message answered after it, or unanswered for
// longer, is a breach.
const SLASeconds = 60

// DialogFilter picks conversations. Zero values pick everything.
type DialogFilter struct {
	Period     Period
	By         string // one of Bases; empty is ByWorked
	Kind       string // lead kind
	CampaignID int64  // the campaign that wrote (ByWritten) or that the conversation answers
	OperatorID int64
	// Outcome: an outcome of that kind was recorded in the conversation (ByWritten: for its lead, as the funnel
	// counts consents).
	Outcome   string
	Converted bool   // the lead opened the account or connected acquiring, whenever
	Status    string // open (bot, waiting, assigned) or closed
	SLA       string // breached: a client message answered after SLASeconds or unanswered longer; met: none
	CSAT      string // rated, or a score 1-5
	QA        string // reviewed, unreviewed
	// Sample > 0 draws that many random dialogs per operator among those closed in the period and not reviewed
	// (it implies By closed, Status closed and QA unreviewed); the draw is seeded by the period, so the same
	// period gives the same sample, and a dialog once reviewed leaves it for the next of the draw.
	Sample int
}

// ErrFilter is a filter value the list does not know; the message names it.
var ErrFilter = errors.New("reports: unknown dialog filter")

// Valid checks the filter's words.
func (f DialogFilter) Valid() error {
	oneOf := func(name, v string, allowed ...string) error {
		for _, a := range append(allowed, "") {
			if v == a {
				return nil
			}
		}
		return fmt.Errorf("%w: %s %q", ErrFilter, name, v)
	}
	return errors.Join(oneOf("by", f.By, Bases...), oneOf("kind", f.Kind, Kinds...),
		oneOf("outcome", f.Outcome, OutcomeKinds...),
		oneOf("status", f.Status, "open", "closed"), oneOf("sla", f.SLA, "breached", "met"),
		oneOf("csat", f.CSAT, "rated", "1", "2", "3", "4", "5"), oneOf("qa", f.QA, "reviewed", "unreviewed"))
}

// Seed is what the sample's draw is seeded with: the period, so reloading the page draws the same dialogs.
func (f DialogFilter) Seed() string {
	return f.Period.From.UTC().Format(time.RFC3339) + "/" + f.Period.To.UTC().Format(time.RFC3339)
}

// DialogRow is one conversation of the list.
type DialogRow struct {
	ID                 int64
	Company, Client    string
	Kind               string // the lead's kind, empty without a lead
	Campaign, Operator string
	OperatorID         int64
	Status             string
	OpenedAt           time.Time
	ClosedAt           *time.Time
	Outcomes           []string // the kinds recorded in it, in order
	Converted          bool
	Breached           bool
	CSAT               *int
	QAScore            *int
}

// DialogPage is a page of the list and how many rows the whole list has.
type DialogPage struct {
	Rows  []DialogRow
	Total int
}

// where builds the conditions on conversation cv (and its lead l) with named arguments: each condition is
// appended only when its filter is set, so the SQL says what is asked and nothing else.
func (f DialogFilter) where(now time.Time) (string, pgx.NamedArgs) {
	args := pgx.NamedArgs{"from": f.Period.From, "to": f.Period.To, "op": f.OperatorID, "now": now,
		"sla_ms": SLASeconds * 1000, "campaign": f.CampaignID}
	var conds []string
	add := func(c string) { conds = append(conds, c) }
	byOp := func(col string) string {
		if f.OperatorID == 0 {
			return ""
		}
		return " AND " + col + " = @op"
	}
	answered := `EXISTS (SELECT FROM conversation_messages m WHERE m.conversation_id = cv.id AND m.direction = 'in'
		AND m.answered_at IS NOT NULL AND m.answered_by IS NOT NULL AND m.created_at >= @from AND m.created_at < @to` +
		byOp("m.answered_by") + `)`
	closed := `(cv.closed_at >= @from AND cv.closed_at < @to` + byOp("cv.operator_id") + `)`
	switch f.By {
	case ByWritten:
		written := `SELECT o.lead_id FROM outbox o WHERE o.campaign_id IS NOT NULL AND o.state = 'sent'
			AND o.sent_at >= @from AND o.sent_at < @to`
		if f.CampaignID != 0 {
			written += ` AND o.campaign_id = @campaign`
		}
		add(`cv.lead_id IN (` + written + `)`)
		add(`cv.id = (SELECT max(c2.id) FROM conversations c2 WHERE c2.lead_id = cv.lead_id)`)
		if f.OperatorID != 0 {
			add(`cv.operator_id = @op`)
		}
	case ByClosed:
		add(closed)
	case ByMessages:
		add(answered)
	case ByRated:
		add(`cv.csat_at >= @from AND cv.csat_at < @to` + byOp("cv.operator_id"))
	default:
		add(`(` + closed + ` OR ` + answered + `)`)
	}
	if f.CampaignID != 0 && f.By != ByWritten {
		add(`cv.campaign_id = @campaign`)
	}
	if f.Kind != "" {
		args["kind"] = f.Kind
		add(`l.kind = @kind`)
	}
	if f.Outcome != "" {
		args["outcome"] = f.Outcome
		if f.By == ByWritten {
			add(`EXISTS (SELECT FROM outcomes oc WHERE oc.lead_id = cv.lead_id AND oc.kind = @outcome)`)
		} else {
			add(`EXISTS (SELECT FROM outcomes oc WHERE oc.conversation_id = cv.id AND oc.kind = @outcome)`)
		}
	}
	if f.Converted {
		add(convertedSQL)
	}
	switch f.Status {
	case "open":
		add(`cv.status <> 'closed'`)
	case "closed":
		add(`cv.status = 'closed'`)
	}
	switch f.SLA {
	case "breached":
		add(breachedSQL)
	case "met":
		add(`NOT ` + breachedSQL)
	}
	switch f.CSAT {
	case "":
	case "rated":
		add(`cv.csat IS NOT NULL`)
	default:
		args["csat"], _ = strconv.Atoi(f.CSAT)
		add(`cv.csat = @csat`)
	}
	switch f.QA {
	case "reviewed":
		add(`EXISTS (SELECT FROM qa_reviews q WHERE q.conversation_id = cv.id)`)
	case "unreviewed":
		add(`NOT EXISTS (SELECT FROM qa_reviews q WHERE q.conversation_id = cv.id)`)
	}
	return strings.Join(conds, "\n\t\t  AND "), args
}

// convertedSQL: the lead of cv converted, as the funnel counts it.
const convertedSQL = `EXISTS (SELECT FROM outcomes oc WHERE oc.lead_id = cv.lead_id
		AND oc.kind = CASE l.kind WHEN 'acquiring' THEN 'acquiring_connected' ELSE 'account_opened' END)`

// breachedSQL: a client message of cv was answered after the SLA, or has waited longer unanswered.
const breachedSQL = `EXISTS (SELECT FROM conversation_messages m WHERE m.conversation_id = cv.id AND m.direction = 'in'
		AND (m.response_ms > @sla_ms OR (m.sla AND m.answered_at IS NULL
		     AND m.created_at <= @now::timestamptz - make_interval(secs => @sla_ms / 1000))))`

const dialogColumns = `
	SELECT cv.id, coalesce(cl.company_name, ''), coalesce(ct.first_name, ''), coalesce(l.kind, ''),
	       coalesce(cp.name, ''), coalesce(nullif(u.display_name, ''), u.login, ''), coalesce(cv.operator_id, 0),
	       cv.status, cv.opened_at, cv.closed_at,
	       coalesce((SELECT array_agg(oc.kind ORDER BY oc.recorded_at, oc.id) FROM outcomes oc
	                 WHERE oc.conversation_id = cv.id), '{}'),
	       ` + convertedSQL + `, ` + breachedSQL + `, cv.csat::int,
	       (SELECT q.score::int FROM qa_reviews q WHERE q.conversation_id = cv.id),
	       count(*) OVER ()
	FROM conversations cv
	JOIN contacts ct ON ct.id = cv.contact_id
	LEFT JOIN leads l ON l.id = cv.lead_id
	LEFT JOIN clients cl ON cl.id = cv.client_id
	LEFT JOIN campaigns cp ON cp.id = cv.campaign_id
	LEFT JOIN users u ON u.id = cv.operator_id`

// Dialogs returns a page of the conversations f picks, newest first (a sample: by operator, in the draw's
// order), skipping offset rows, at most limit.
func (rp *Reports) Dialogs(ctx context.Context, f DialogFilter, offset, limit int) (DialogPage, error) {
	if err := f.Valid(); err != nil {
		return DialogPage{}, err
	}
	if f.Sample > 0 {
		f.By, f.Status, f.QA = ByClosed, "closed", "unreviewed"
	}
	where, args := f.where(rp.now())
	args["offset"], args["limit"] = offset, limit
	sql := dialogColumns + "\n\tWHERE " + where + "\n\tORDER BY cv.id DESC OFFSET @offset LIMIT @limit"
	if f.Sample > 0 {
		// The draw: each operator's dialogs in the order of a hash of the seed and the id, the first Sample of
		// them; md5 because it is the same on every PostgreSQL, unlike random() with setseed across sessions.
		args["seed"], args["sample"] = f.Seed(), f.Sample
		sql = `WITH drawn AS (
			SELECT cv.id, row_number() OVER (PARTITION BY cv.operator_id ORDER BY md5(@seed || ':' || cv.id), cv.id) AS draw
			FROM conversations cv LEFT JOIN leads l ON l.id = cv.lead_id
			WHERE cv.operator_id IS NOT NULL AND ` + where + `
		)` + dialogColumns + `
		JOIN drawn d ON d.id = cv.id AND d.draw <= @sample
		ORDER BY 6, cv.operator_id, d.draw OFFSET @offset LIMIT @limit`
	}
	rows, err := rp.pool.Query(ctx, sql, args)
	if err != nil {
		return DialogPage{}, fmt.Errorf("reports: dialogs %+v: %w", f, err)
	}
	defer rows.Close()
	var page DialogPage
	for rows.Next() {
		var d DialogRow
		if err := rows.Scan(&d.ID, &d.Company, &d.Client, &d.Kind, &d.Campaign, &d.Operator, &d.OperatorID,
			&d.Status, &d.OpenedAt, &d.ClosedAt, &d.Outcomes, &d.Converted, &d.Breached, &d.CSAT, &d.QAScore,
			&page.Total); err != nil {
			return DialogPage{}, fmt.Errorf("reports: dialogs: %w", err)
		}
		page.Rows = append(page.Rows, d)
	}
	if err := rows.Err(); err != nil {
		return DialogPage{}, fmt.Errorf("reports: dialogs: %w", err)
	}
	if len(page.Rows) == 0 && offset > 0 { // past the end: the total still says how many there are
		all, err := rp.Dialogs(ctx, f, 0, 1)
		page.Total = all.Total
		return page, err
	}
	return page, nil
}

// MaxNextScan bounds how far NextDialog reads the list to find where a dialog is in it.
const MaxNextScan = 2000

// NextDialog is the conversation after id in f's list (the first of the list when id is not in it, or is the
// last), skipping id itself; 0 when the list has no other. A reviewer goes through a sample with it.
func (rp *Reports) NextDialog(ctx context.Context, f DialogFilter, id int64) (int64, error) {
	page, err := rp.Dialogs(ctx, f, 0, MaxNextScan)
	if err != nil {
		return 0, err
	}
	for i, d := range page.Rows {
		if d.ID == id && i+1 < len(page.Rows) {
			return page.Rows[i+1].ID, nil
		}
	}
	for _, d := range page.Rows {
		if d.ID != id {
			return d.ID, nil
		}
	}
	return 0, nil
}

func (rp *Reports) now() time.Time {
	if rp.Now == nil {
		return time.Now()
	}
	return rp.Now()
}
