package reports

import (
	"context"
	"fmt"
	"time"
)

// ResponseLimits are the upper ends of the response-time histogram's bins (each included); a last bin holds the
// answers slower than the last limit. 60 s is a limit, so the bins up to it add up to the first-minute SLA.
var ResponseLimits = []time.Duration{15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute,
	5 * time.Minute, 10 * time.Minute}

// HourSLA is the first-minute SLA of the client messages written in one hour of the day.
type HourSLA struct{ Answered, InTime int }

// AnsweredIn60 is the hour's first-minute SLA.
func (h HourSLA) AnsweredIn60() Share { return Share{h.InTime, h.Answered} }

// Shape is how the filter's service is spread: the SLA by hour of the day (in the bank's zone), the answers by
// response time (len(ResponseLimits)+1 bins), and the clients' ratings by mark (CSAT[0] is the 1s).
type Shape struct {
	ByHour    [24]HourSLA
	Responses []int
	CSAT      [5]int
}

// The hour of the day is read at the zone's offset at the period's start: the bank's zone (Moscow) keeps one
// offset all year. The bins' limits go over as milliseconds plus one, so width_bucket puts 60,000 ms in the
// "up to 60 s" bin.
const shapeSQL = `
	WITH answered AS (
	    SELECT extract(hour FROM (m.created_at AT TIME ZONE 'UTC') + make_interval(secs => $7::int))::int AS hour,
	           m.response_ms
	    FROM conversation_messages m JOIN conversations cv ON cv.id = m.conversation_id
	    LEFT JOIN leads l ON l.id = cv.lead_id
	    WHERE m.sla AND m.answered_at IS NOT NULL AND m.created_at >= $1 AND m.created_at < $2
	      AND ($5::bigint = 0 OR m.answered_by = $5::bigint) AND ` + dialogWhere + `
	)
	SELECT 'hour', hour, count(*), count(*) FILTER (WHERE response_ms <= 60000) FROM answered GROUP BY hour
	UNION ALL
	SELECT 'response', width_bucket(response_ms, $8::int[]), count(*), 0 FROM answered GROUP BY 2
	UNION ALL
	SELECT 'csat', cv.csat, count(*), 0
	FROM conversations cv LEFT JOIN leads l ON l.id = cv.lead_id
	WHERE cv.csat IS NOT NULL AND cv.csat_at >= $1 AND cv.csat_at < $2
	  AND ($5::bigint = 0 OR cv.operator_id = $5::bigint) AND ` + dialogWhere + `
	GROUP BY cv.csat`

// Shape returns how the filter's service is spread, its hours of the day in zone.
func (rp *Reports) Shape(ctx context.Context, f Filter, zone *time.Location) (Shape, error) {
	s := Shape{Responses: make([]int, len(ResponseLimits)+1)}
	_, offset := f.From.In(zone).Zone()
	limits := make([]int64, len(ResponseLimits))
	for i, l := range ResponseLimits {
		limits[i] = l.Milliseconds() + 1
	}
	var rolled *variants
	if offset%3600 == 0 && rp.hourly(f.Period) {
		rolled = &shapeRolled
	}
	fine := make([]int64, len(fineLimits)+1)
	rows, err := rp.panelQuery(ctx, f, rolled, f.args(offset), shapeSQL, f.args(offset, limits))
	if err != nil {
		return s, fmt.Errorf("reports: service shape %v: %w", f, err)
	}
	defer rows.Close()
	for rows.Next() {
		var what string
		var key, n, inTime int
		if err := rows.Scan(&what, &key, &n, &inTime); err != nil {
			return s, fmt.Errorf("reports: service shape: %w", err)
		}
		switch {
		case what == "hour" && key >= 0 && key < 24:
			s.ByHour[key] = HourSLA{Answered: n, InTime: inTime}
		case what == "response" && key >= 0 && key < len(s.Responses):
			s.Responses[key] = n
		case what == "bin" && key >= 0 && key < len(fine):
			fine[key] = int64(n)
		case what == "csat" && key >= 1 && key <= 5:
			s.CSAT[key-1] = n
		}
	}
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("reports: service shape: %w", err)
	}
	if rolled != nil {
		s.Responses = coarse(fine)
	}
	return s, nil
}
