package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"dozvon/internal/msg"
)

// Lead kinds: the three sources of people to write to.
const (
	MissedCall = "missed_call" // new applications whose outbound calls went unanswered
	FollowUp   = "follow_up"   // a field-manager meeting was booked, no account opened in time
	Acquiring  = "acquiring"   // account opened recently, no internet acquiring, in a fitting industry
)

// Kinds lists the lead kinds in the order screens show them.
var Kinds = []string{MissedCall, FollowUp, Acquiring}

// ValidKind tells whether k is a lead kind.
func ValidKind(k string) bool { return k == MissedCall || k == FollowUp || k == Acquiring }

// LeadRules are the editable thresholds that derive leads from the bank's data.
type LeadRules struct {
	MissedCall struct {
		MinAttempts int `json:"min_attempts"` // unanswered call attempts, at least
		MaxAgeDays  int `json:"max_age_days"` // applications older than this are stale
	}
	FollowUp struct {
		Days       int `json:"days"`         // a meeting booked this many days ago without an account
		MaxAgeDays int `json:"max_age_days"` // meetings older than this are not followed up
	}
	Acquiring struct {
		Days  int      `json:"days"`  // account opened within this many days
		OKVED []string `json:"okved"` // allowed OKVED codes or prefixes ("47" covers 47.91)
	}
}

var okvedRe = regexp.MustCompile(`^[0-9]{2}(\.[0-9]{1,2}){0,2}$`)

// Validate checks the rules a manager typed.
func (r LeadRules) Validate() error {
	var problems []*msg.Error
	if r.MissedCall.MinAttempts < 1 || r.MissedCall.MinAttempts > 20 {
		problems = append(problems, msg.New("campaigns.rules_missed_attempts", 1, 20))
	}
	if r.MissedCall.MaxAgeDays < 1 || r.MissedCall.MaxAgeDays > 365 {
		problems = append(problems, msg.New("campaigns.rules_missed_age", 1, 365))
	}
	if r.FollowUp.Days < 1 || r.FollowUp.Days > 90 {
		problems = append(problems, msg.New("campaigns.rules_follow_days", 1, 90))
	}
	if r.FollowUp.MaxAgeDays < r.FollowUp.Days || r.FollowUp.MaxAgeDays > 365 {
		problems = append(problems, msg.New("campaigns.rules_follow_wait", 365))
	}
	if r.Acquiring.Days < 1 || r.Acquiring.Days > 365 {
		problems = append(problems, msg.New("campaigns.rules_acquiring_days", 1, 365))
	}
	if len(r.Acquiring.OKVED) == 0 {
		problems = append(problems, msg.New("campaigns.rules_okved_empty"))
	}
	for _, c := range r.Acquiring.OKVED {
		if !okvedRe.MatchString(c) {
			problems = append(problems, msg.New("campaigns.rules_okved", c))
		}
	}
	if len(problems) > 0 {
		return msg.List("rules", problems...)
	}
	return nil
}

// Rules returns the current lead rules.
func (s *Store) Rules(ctx context.Context) (LeadRules, error) {
	var r LeadRules
	rows, err := s.pool.Query(ctx, `SELECT kind, params FROM lead_rules`)
	if err != nil {
		return r, fmt.Errorf("campaigns: read lead rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var params []byte
		if err := rows.Scan(&kind, &params); err != nil {
			return r, fmt.Errorf("campaigns: read lead rules: %w", err)
		}
		var target any
		switch kind {
		case MissedCall:
			target = &r.MissedCall
		case FollowUp:
			target = &r.FollowUp
		case Acquiring:
			target = &r.Acquiring
		default:
			continue
		}
		if err := json.Unmarshal(params, target); err != nil {
			return r, fmt.Errorf("campaigns: lead rules for %s: %w", kind, err)
		}
	}
	return r, rows.Err()
}

// SaveRules replaces the lead rules.
func (s *Store) SaveRules(ctx context.Context, r LeadRules, by int64) error {
	if err := r.Validate(); err != nil {
		return err
	}
	for i := range r.Acquiring.OKVED {
		r.Acquiring.OKVED[i] = strings.TrimSpace(r.Acquiring.OKVED[i])
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for kind, params := range map[string]any{MissedCall: r.MissedCall, FollowUp: r.FollowUp, Acquiring: r.Acquiring} {
			if _, err := tx.Exec(ctx, `
				UPDATE lead_rules SET params = $2, updated_by = $3, updated_at = now() WHERE kind = $1`,
				kind, params, by); err != nil {
				return fmt.Errorf("campaigns: save %s rules: %w", kind, err)
			}
		}
		return nil
	})
}

// Derived counts what DeriveLeads did.
type Derived struct {
	New       map[string]int // new leads by kind
	Converted int            // leads whose conversion the bank's data confirmed
	Closed    int            // leads whose application was rejected or closed
}

// DeriveLeads turns the bank's data into leads, one set-based statement per kind; leads that exist stay as they
// are (one lead per kind and application). It also closes the loop from the bank's side: a lead whose account was
// opened (or whose acquiring was connected) is converted, with an outcome recorded for reports, and a lead whose
// application was rejected or closed is closed.
func (s *Store) DeriveLeads(ctx context.Context, now time.Time) (Derived, error) {
	rules, err := s.Rules(ctx)
	if err != nil {
		return Derived{}, err
	}
	d := Derived{New: map[string]int{}}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, q := range []struct {
			kind string
			sql  string
			args pgx.NamedArgs
		}{
			{MissedCall, deriveMissedCalls, pgx.NamedArgs{"now": now,
				"min_attempts": rules.MissedCall.MinAttempts, "max_age_days": rules.MissedCall.MaxAgeDays}},
			{FollowUp, deriveFollowUps, pgx.NamedArgs{"now": now,
				"days": rules.FollowUp.Days, "max_age_days": rules.FollowUp.MaxAgeDays}},
			{Acquiring, deriveAcquiring, pgx.NamedArgs{"now": now,
				"days": rules.Acquiring.Days, "okved": rules.Acquiring.OKVED}},
		} {
			tag, err := tx.Exec(ctx, q.sql, q.args)
			if err != nil {
				return fmt.Errorf("campaigns: derive %s leads: %w", q.kind, err)
			}
			d.New[q.kind] = int(tag.RowsAffected())
		}
		if err := tx.QueryRow(ctx, convertLeads).Scan(&d.Converted); err != nil {
			return fmt.Errorf("campaigns: convert leads: %w", err)
		}
		tag, err := tx.Exec(ctx, closeLeads)
		if err != nil {
			return fmt.Errorf("campaigns: close leads: %w", err)
		}
		d.Closed = int(tag.RowsAffected())
		return nil
	})
	return d, err
}

// A missed-call lead: a new account application, called at least min_attempts times, never answered.
const deriveMissedCalls = `
	INSERT INTO leads (client_id, application_id, kind, eligible_at)
	SELECT a.client_id, a.id, 'missed_call', max(e.occurred_at)
	FROM applications a
	JOIN application_events e ON e.application_id = a.id AND e.kind = 'call_attempt'
	WHERE a.product = 'rko' AND a.status IN ('new', 'in_progress')
	  AND a.submitted_at >= @now::timestamptz - make_interval(days => @max_age_days)
	  AND NOT EXISTS (SELECT FROM application_events x WHERE x.application_id = a.id AND x.kind = 'call_answered')
	GROUP BY a.id, a.client_id
	HAVING count(*) >= @min_attempts
	ON CONFLICT (kind, application_id) WHERE application_id IS NOT NULL DO NOTHING`

// A follow-up: a meeting with a field manager was booked at least @days ago, and no account is open.
//
// The latest booking of each application is found from the bookings within the window (the events' kind index),
// not application by application: every run derives first, and a lateral look-up per application read all of a
// million applications before a manager's "Run now" could send anything. The latest booking is in the window
// exactly when some booking is, and then it is the latest of those.
const deriveFollowUps = `
	INSERT INTO leads (client_id, application_id, kind, eligible_at)
	SELECT a.client_id, a.id, 'follow_up', m.booked + make_interval(days => @days)
	FROM (SELECT application_id, max(occurred_at) AS booked FROM application_events
	      WHERE kind = 'meeting_booked' AND occurred_at >= @now::timestamptz - make_interval(days => @max_age_days)
	      GROUP BY application_id) m
	JOIN applications a ON a.id = m.application_id
	WHERE a.product = 'rko' AND a.status NOT IN ('account_opened', 'rejected', 'closed')
	  AND m.booked <= @now::timestamptz - make_interval(days => @days)
	  AND NOT EXISTS (SELECT FROM application_events x WHERE x.application_id = a.id AND x.kind = 'account_opened')
	ON CONFLICT (kind, application_id) WHERE application_id IS NOT NULL DO NOTHING`

// An acquiring cross-sell: an account opened within @days, in an allowed industry, with no acquiring yet. The
// openings are found from those within the window, as the follow-ups' bookings are.
const deriveAcquiring = `
	INSERT INTO leads (client_id, application_id, kind, eligible_at)
	SELECT a.client_id, a.id, 'acquiring', o.opened
	FROM (SELECT application_id, max(occurred_at) AS opened FROM application_events
	      WHERE kind = 'account_opened' AND occurred_at >= @now::timestamptz - make_interval(days => @days)
	      GROUP BY application_id) o
	JOIN applications a ON a.id = o.application_id
	JOIN clients c ON c.id = a.client_id
	WHERE a.product = 'rko'
	  AND EXISTS (SELECT FROM unnest(@okved::text[]) p WHERE c.okved = p OR c.okved LIKE p || '.%')
	  AND NOT EXISTS (SELECT FROM applications b WHERE b.client_id = a.client_id AND b.product = 'acquiring'
	                    AND b.status = 'account_opened')
	  AND NOT EXISTS (SELECT FROM application_events e JOIN applications b ON b.id = e.application_id
	                  WHERE b.client_id = a.client_id AND e.kind = 'acquiring_connected')
	ON CONFLICT (kind, application_id) WHERE application_id IS NOT NULL DO NOTHING`

// The bank's data confirms conversions: an account opened for missed-call and follow-up leads, acquiring connected
// for cross-sell leads. Each converted lead gets one outcome row, which the funnel reports count. The openings and
// connections are each read once, into a hashed set (IN), rather than looked up for every open lead (EXISTS).
const convertLeads = `
	WITH converted AS (
	    UPDATE leads l SET status = 'converted', updated_at = now()
	    WHERE l.status NOT IN ('converted', 'closed') AND (
	        (l.kind IN ('missed_call', 'follow_up') AND l.application_id IN (
	            SELECT e.application_id FROM application_events e WHERE e.kind = 'account_opened'))
	     OR (l.kind = 'acquiring' AND l.client_id IN (
	            SELECT b.client_id FROM application_events e JOIN applications b ON b.id = e.application_id
	            WHERE e.kind = 'acquiring_connected')))
	    RETURNING l.id, l.client_id, l.kind
	), recorded AS (
	    INSERT INTO outcomes (lead_id, client_id, kind, product, source)
	    SELECT id, client_id, CASE kind WHEN 'acquiring' THEN 'acquiring_connected' ELSE 'account_opened' END,
	           CASE kind WHEN 'acquiring' THEN 'acquiring' ELSE 'rko' END, 'import'
	    FROM converted
	    RETURNING 1
	)
	SELECT count(*) FROM recorded`

const closeLeads = `
	UPDATE leads l SET status = 'closed', updated_at = now()
	FROM applications a
	WHERE a.id = l.application_id AND a.status IN ('rejected', 'closed')
	  AND l.status IN ('new', 'offered')`

// ErrNotFound is returned for a campaign or lead that does not exist.
var ErrNotFound = errors.New("campaigns: not found")
