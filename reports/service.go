package reports

import (
	"context"
	"fmt"
	"time"
)

// OperatorPeriod is one operator's work in a period.
type OperatorPeriod struct {
	OperatorID int64
	Name       string
	// Dialogs: conversations they closed in the period or in which they answered a client message written in it.
	Dialogs int
	// Answered: client messages written in the period that they answered; InTime of those within 60 s.
	Answered, InTime int
	MedianResponse   time.Duration // 0 when nothing was answered
	// Consents: their dialogs in which a consent was recorded; Conversions: their dialogs whose lead converted.
	Consents, Conversions int
	// Ratings: clients' ratings of their dialogs closed in the period; Top: of them, 5s.
	Ratings, Top  int
	AverageRating float64 // 0 when nobody rated
	// Reviews: supervisors' QA reviews of the dialogs they closed in the period; QAScore their average score.
	Reviews int
	QAScore float64 // 0 when nothing was reviewed
}

// AnsweredIn60 is the first-minute SLA: answers within 60 s of the client messages answered.
func (o OperatorPeriod) AnsweredIn60() Share { return Share{o.InTime, o.Answered} }

// TopCSAT is the share of ratings that were a 5.
func (o OperatorPeriod) TopCSAT() Share { return Share{o.Top, o.Ratings} }

const operatorsSQL = `
	WITH answered AS (
	    SELECT m.answered_by AS operator_id, m.conversation_id, m.response_ms
	    FROM conversation_messages m JOIN conversations cv ON cv.id = m.conversation_id
	    LEFT JOIN leads l ON l.id = cv.lead_id
	    WHERE m.sla AND m.answered_at IS NOT NULL AND m.answered_by IS NOT NULL
	      AND m.created_at >= $1 AND m.created_at < $2
	      AND ($5::bigint = 0 OR m.answered_by = $5::bigint) AND ` + dialogWhere + `
	), dialogs AS (
	    SELECT operator_id, conversation_id FROM answered
	    UNION
	    SELECT cv.operator_id, cv.id FROM conversations cv LEFT JOIN leads l ON l.id = cv.lead_id
	    WHERE cv.operator_id IS NOT NULL AND cv.closed_at >= $1 AND cv.closed_at < $2
	      AND ($5::bigint = 0 OR cv.operator_id = $5::bigint) AND ` + dialogWhere + `
	), per_dialog AS (
	    SELECT d.operator_id,
	           CASE WHEN cv.closed_at >= $1 AND cv.closed_at < $2 THEN cv.csat END AS csat,
	           EXISTS (SELECT FROM outcomes oc WHERE oc.conversation_id = cv.id AND oc.kind = 'consent') AS consented,
	           EXISTS (SELECT FROM outcomes oc JOIN leads l ON l.id = oc.lead_id WHERE oc.lead_id = cv.lead_id
	                   AND oc.kind = CASE l.kind WHEN 'acquiring' THEN 'acquiring_connected' ELSE 'account_opened' END)
	               AS converted,
	           CASE WHEN cv.closed_at >= $1 AND cv.closed_at < $2 AND cv.operator_id = d.operator_id THEN q.score END
	               AS qa
	    FROM dialogs d JOIN conversations cv ON cv.id = d.conversation_id
	    LEFT JOIN qa_reviews q ON q.conversation_id = cv.id
	), by_dialogs AS (
	    SELECT operator_id, count(*) AS dialogs, count(*) FILTER (WHERE consented) AS consents,
	           count(*) FILTER (WHERE converted) AS conversions, count(csat) AS ratings,
	           count(*) FILTER (WHERE csat = 5) AS top, coalesce(avg(csat), 0) AS average,
	           count(qa) AS reviews, coalesce(avg(qa), 0) AS qa_score
	    FROM per_dialog GROUP BY operator_id
	), by_answers AS (
	    SELECT operator_id, count(*) AS answered, count(*) FILTER (WHERE response_ms <= 60000) AS in_time,
	           coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY response_ms), 0) AS median_ms
	    FROM answered GROUP BY operator_id
	)
	SELECT u.id, coalesce(nullif(u.display_name, ''), u.login),
	       coalesce(d.dialogs, 0), coalesce(a.answered, 0), coalesce(a.in_time, 0), coalesce(a.median_ms, 0),
	       coalesce(d.consents, 0), coalesce(d.conversions, 0), coalesce(d.ratings, 0), coalesce(d.top, 0),
	       coalesce(d.average, 0), coalesce(d.reviews, 0), coalesce(d.qa_score, 0)
	FROM users u
	LEFT JOIN by_dialogs d ON d.operator_id = u.id
	LEFT JOIN by_answers a ON a.operator_id = u.id
	WHERE ((u.role = 'operator' AND u.active) OR d.operator_id IS NOT NULL OR a.operator_id IS NOT NULL)
	  AND ($5::bigint = 0 OR u.id = $5::bigint)
	ORDER BY 2, 1`

// Operators returns every active operator's work in the filter's dialogs (with zeros for those who did none),
// and anyone else's who worked dialogs in it (a supervisor who answered, an operator since deactivated).
func (rp *Reports) Operators(ctx context.Context, f Filter) ([]OperatorPeriod, error) {
	if rp.hourly(f.Period) {
		return rp.operatorsRolled(ctx, f)
	}
	rows, err := rp.pool.Query(ctx, operatorsSQL, f.args()...)
	if err != nil {
		return nil, fmt.Errorf("reports: operators %v: %w", f, err)
	}
	defer rows.Close()
	var out []OperatorPeriod
	for rows.Next() {
		var o OperatorPeriod
		var medianMS float64
		if err := rows.Scan(&o.OperatorID, &o.Name, &o.Dialogs, &o.Answered, &o.InTime, &medianMS,
			&o.Consents, &o.Conversions, &o.Ratings, &o.Top, &o.AverageRating, &o.Reviews, &o.QAScore); err != nil {
			return nil, fmt.Errorf("reports: operators: %w", err)
		}
		o.MedianResponse = time.Duration(medianMS * float64(time.Millisecond))
		out = append(out, o)
	}
	return out, rows.Err()
}

// QA is the team's quality in a period: supervisors' reviews of the dialogs closed in it, and their average score.
type QA struct {
	Reviews int
	Score   float64 // 0 when nothing was reviewed
}

// MeetsTarget tells whether the average score reaches the bank's target; false with no reviews.
func (q QA) MeetsTarget() bool { return q.Reviews > 0 && q.Score >= ReferenceQATarget }

// QAPoint is the team's QA over the dialogs closed in one bucket (a day, a week) of a trend.
type QAPoint struct {
	Start time.Time
	QA
}

const qaSQL = `
	SELECT b.starts, count(q.score), coalesce(avg(q.score), 0)
	FROM unnest($7::timestamptz[], $8::timestamptz[]) AS b(starts, ends)
	LEFT JOIN (conversations cv JOIN qa_reviews q ON q.conversation_id = cv.id LEFT JOIN leads l ON l.id = cv.lead_id)
	    ON cv.closed_at >= b.starts AND cv.closed_at < b.ends AND cv.closed_at >= $1 AND cv.closed_at < $2
	   AND ($5::bigint = 0 OR cv.operator_id = $5::bigint) AND ` + dialogWhere + `
	GROUP BY b.starts ORDER BY b.starts`

// TeamQA returns the team's QA over the dialogs of the filter closed in its period, whoever closed them (the
// bot's too, if reviewed).
func (rp *Reports) TeamQA(ctx context.Context, f Filter) (QA, error) {
	points, err := rp.QATrend(ctx, f, []Period{f.Period})
	if err != nil || len(points) == 0 {
		return QA{}, err
	}
	return points[0].QA, nil
}

// QATrend returns the team's QA in each bucket (Days or Weeks of the filter's period).
func (rp *Reports) QATrend(ctx context.Context, f Filter, buckets []Period) ([]QAPoint, error) {
	starts, ends := bounds(buckets)
	var rolled *variants
	if rp.hourly(f.Period) && rp.hourly(buckets...) {
		rolled = &qaRolled
	}
	rows, err := rp.panelQuery(ctx, f, rolled, f.args(starts, ends), qaSQL, f.args(starts, ends))
	if err != nil {
		return nil, fmt.Errorf("reports: QA %v: %w", f, err)
	}
	defer rows.Close()
	var out []QAPoint
	for rows.Next() {
		var p QAPoint
		if err := rows.Scan(&p.Start, &p.Reviews, &p.Score); err != nil {
			return nil, fmt.Errorf("reports: QA: %w", err)
		}
		p.Start = p.Start.In(buckets[len(out)].From.Location())
		out = append(out, p)
	}
	return out, rows.Err()
}

// ServiceDay is a day of the team's service: client messages written that day and answered, and ratings given.
type ServiceDay struct {
	Day                            time.Time // midnight in the zone the report was asked in
	Answered, InTime, Ratings, Top int
}

// AnsweredIn60 is the first-minute SLA of the day.
func (d ServiceDay) AnsweredIn60() Share { return Share{d.InTime, d.Answered} }

// TopCSAT is the share of the day's ratings that were a 5.
func (d ServiceDay) TopCSAT() Share { return Share{d.Top, d.Ratings} }

// The days are cut in Go (Days) and handed over as arrays.
const serviceSQL = `
	SELECT d.starts, coalesce(m.answered, 0), coalesce(m.in_time, 0), coalesce(r.ratings, 0), coalesce(r.top, 0)
	FROM unnest($7::timestamptz[], $8::timestamptz[]) AS d(starts, ends)
	LEFT JOIN LATERAL (
	    SELECT count(*) AS answered, count(*) FILTER (WHERE m.response_ms <= 60000) AS in_time
	    FROM conversation_messages m JOIN conversations cv ON cv.id = m.conversation_id
	    LEFT JOIN leads l ON l.id = cv.lead_id
	    WHERE m.sla AND m.answered_at IS NOT NULL AND m.created_at >= d.starts AND m.created_at < d.ends
	      AND ($5::bigint = 0 OR m.answered_by = $5::bigint) AND ` + dialogWhere + `
	) m ON true
	LEFT JOIN LATERAL (
	    SELECT count(*) AS ratings, count(*) FILTER (WHERE cv.csat = 5) AS top
	    FROM conversations cv LEFT JOIN leads l ON l.id = cv.lead_id
	    WHERE cv.csat IS NOT NULL AND cv.csat_at >= d.starts AND cv.csat_at < d.ends
	      AND ($5::bigint = 0 OR cv.operator_id = $5::bigint) AND ` + dialogWhere + `
	) r ON true
	WHERE $1::timestamptz IS NOT NULL AND $2::timestamptz IS NOT NULL
	ORDER BY d.starts`

// ServiceByDay returns the team's service in the filter's dialogs for each day of its period in zone, the first
// and last days cut to the period.
func (rp *Reports) ServiceByDay(ctx context.Context, f Filter, zone *time.Location) ([]ServiceDay, error) {
	days := Days(f.Period, zone)
	starts, ends := bounds(days)
	var rolled *variants
	if rp.hourly(f.Period) && rp.hourly(days...) {
		rolled = &serviceRolled
	}
	rows, err := rp.panelQuery(ctx, f, rolled, f.args(starts, ends), serviceSQL, f.args(starts, ends))
	if err != nil {
		return nil, fmt.Errorf("reports: service by day %v: %w", f, err)
	}
	defer rows.Close()
	var out []ServiceDay
	for rows.Next() {
		var d ServiceDay
		if err := rows.Scan(&d.Day, &d.Answered, &d.InTime, &d.Ratings, &d.Top); err != nil {
			return nil, fmt.Errorf("reports: service by day: %w", err)
		}
		d.Day = midnight(d.Day.In(zone))
		out = append(out, d)
	}
	return out, rows.Err()
}

// ServiceTotal adds the days up.
func ServiceTotal(days []ServiceDay) ServiceDay {
	var t ServiceDay
	for _, d := range days {
		t.Answered, t.InTime, t.Ratings, t.Top = t.Answered+d.Answered, t.InTime+d.InTime, t.Ratings+d.Ratings, t.Top+d.Top
	}
	return t
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
