package reports

import (
	"context"
	"fmt"
	"math"
	"time"
)

// The panels read from the rollups (rollup.go): the same figures as the raw queries beside each panel, in the
// same parameters ($1 from, $2 to, $3 kind, $4 campaign, $5 operator, $6 channel, then the panel's own).

var serviceRolled = variantsOf("$9", func(src func(string) string) string {
	return `
	WITH d AS (SELECT * FROM unnest($7::timestamptz[], $8::timestamptz[]) AS d(starts, ends)),
	a AS (SELECT s.hour, sum(s.answered) AS answered, sum(s.in_time) AS in_time FROM ` + src("report_answers") + ` s
	      WHERE ($5::bigint = 0 OR s.operator_id = $5::bigint) AND ` + dimsWhere + ` GROUP BY s.hour),
	r AS (SELECT s.hour, sum(s.n) AS ratings, sum(s.n) FILTER (WHERE s.csat = 5) AS top FROM ` + src("report_ratings") + ` s
	      WHERE ($5::bigint = 0 OR s.operator_id = $5::bigint) AND ` + dimsWhere + ` GROUP BY s.hour)
	SELECT d.starts,
	       coalesce((SELECT sum(a.answered) FROM a WHERE a.hour >= d.starts AND a.hour < d.ends), 0)::bigint,
	       coalesce((SELECT sum(a.in_time) FROM a WHERE a.hour >= d.starts AND a.hour < d.ends), 0)::bigint,
	       coalesce((SELECT sum(r.ratings) FROM r WHERE r.hour >= d.starts AND r.hour < d.ends), 0)::bigint,
	       coalesce((SELECT sum(r.top) FROM r WHERE r.hour >= d.starts AND r.hour < d.ends), 0)::bigint
	FROM d ORDER BY d.starts`
})

var shapeRolled = variantsOf("$8", func(src func(string) string) string {
	return `
	WITH a AS (SELECT s.* FROM ` + src("report_answers") + ` s
	           WHERE ($5::bigint = 0 OR s.operator_id = $5::bigint) AND ` + dimsWhere + `),
	r AS (SELECT s.* FROM ` + src("report_ratings") + ` s
	      WHERE ($5::bigint = 0 OR s.operator_id = $5::bigint) AND ` + dimsWhere + `)
	SELECT 'hour', extract(hour FROM (a.hour AT TIME ZONE 'UTC') + make_interval(secs => $7::int))::int,
	       sum(a.answered)::bigint, sum(a.in_time)::bigint
	FROM a GROUP BY 2
	UNION ALL
	SELECT 'bin', (u.i - 1)::int, u.n, 0 FROM (SELECT ARRAY[` + binSums + `] AS v FROM a s) x,
	     unnest(x.v) WITH ORDINALITY AS u(n, i)
	UNION ALL
	SELECT 'csat', r.csat, sum(r.n)::bigint, 0 FROM r GROUP BY r.csat`
})

var qaRolled = variantsOf("$9", func(src func(string) string) string {
	return `
	SELECT b.starts, coalesce(sum(s.reviews), 0)::bigint,
	       coalesce(sum(s.score_sum)::numeric / nullif(sum(s.reviews), 0), 0)
	FROM unnest($7::timestamptz[], $8::timestamptz[]) AS b(starts, ends)
	LEFT JOIN ` + src("report_qa") + ` s ON s.hour >= b.starts AND s.hour < b.ends
	    AND ($5::bigint = 0 OR s.operator_id = $5::bigint) AND ` + dimsWhere + `
	GROUP BY b.starts ORDER BY b.starts`
})

// A row counts a lead (in its kind and the total) when the lead was not written to earlier in the bucket: its
// previous hour, in the grouping the filter asks for, is none or before the bucket. Likewise per campaign.
func funnelRolledCTE(src func(string) string) string {
	return `
	WITH buckets AS (SELECT * FROM unnest($7::timestamptz[], $8::timestamptz[]) AS b(starts, ends)),
	f AS (
	    SELECT b.starts, s.kind, s.campaign_id, s.leads, s.consented, s.converted,
	           CASE WHEN $4::bigint = 0 AND $6::text = '' THEN s.lead_prev WHEN $6::text = '' THEN s.campaign_prev
	                WHEN $4::bigint = 0 THEN s.channel_prev ELSE s.cc_prev END AS prev,
	           CASE WHEN $6::text = '' THEN s.campaign_prev ELSE s.cc_prev END AS prev_in_campaign,
	           CASE WHEN $5::bigint = 0 THEN s.replied ELSE $5::bigint = ANY (s.operators) END AS replied
	    FROM ` + src("report_sends") + ` s JOIN buckets b ON s.hour >= b.starts AND s.hour < b.ends
	    WHERE ` + dimsWhere + `
	), g AS (
	    SELECT f.starts, f.kind, f.campaign_id, f.leads, f.replied,
	           f.prev IS NULL OR f.prev < f.starts AS first, f.prev_in_campaign IS NULL OR f.prev_in_campaign < f.starts AS first_in_campaign,
	           ($5::bigint = 0 OR f.replied) AND f.consented AS consented,
	           ($5::bigint = 0 OR f.replied) AND f.converted AS converted
	    FROM f
	)`
}

func funnelSums(first string) string {
	return `coalesce(sum(g.leads) FILTER (WHERE ` + first + `), 0)::bigint,
	       coalesce(sum(g.leads) FILTER (WHERE ` + first + ` AND g.replied), 0)::bigint,
	       coalesce(sum(g.leads) FILTER (WHERE ` + first + ` AND g.consented), 0)::bigint,
	       coalesce(sum(g.leads) FILTER (WHERE ` + first + ` AND g.converted), 0)::bigint`
}

var conversionRolled = variantsOf("$9", func(src func(string) string) string {
	return funnelRolledCTE(src) + `
	SELECT g.kind, 0::bigint, ''::text, ` + funnelSums("g.first") + ` FROM g GROUP BY g.kind
	UNION ALL
	SELECT '', 0, '', ` + funnelSums("g.first") + ` FROM g
	UNION ALL
	SELECT g.kind, g.campaign_id, cp.name, ` + funnelSums("g.first_in_campaign") + `
	FROM g JOIN campaigns cp ON cp.id = g.campaign_id GROUP BY g.kind, g.campaign_id, cp.name
	ORDER BY 3, 2`
})

var trendRolled = variantsOf("$9", func(src func(string) string) string {
	return funnelRolledCTE(src) + `
	SELECT b.starts, ` + funnelSums("g.first") + `
	FROM buckets b LEFT JOIN g ON g.starts = b.starts
	GROUP BY b.starts ORDER BY b.starts`
})

// The operators' dialogs count each (operator, dialog) once: at its first hour of work in the period. Its rating
// and review count when the dialog was closed in the period.
var operatorsRolled = variantsOf("$7", func(src func(string) string) string {
	return `
	WITH a AS (
	    SELECT s.operator_id, sum(s.answered)::bigint AS answered, sum(s.in_time)::bigint AS in_time,
	           ARRAY[` + binSums + `]::bigint[] AS bins
	    FROM ` + src("report_answers") + ` s
	    WHERE s.operator_id <> 0 AND ($5::bigint = 0 OR s.operator_id = $5::bigint) AND ` + dimsWhere + `
	    GROUP BY s.operator_id
	), w AS (
	    SELECT s.*, s.closed_hour >= $1 AND s.closed_hour < $2 AS closed_in FROM ` + src("report_dialogs") + ` s
	    WHERE (s.prev_hour IS NULL OR s.prev_hour < $1) AND ($5::bigint = 0 OR s.operator_id = $5::bigint)
	      AND ` + dimsWhere + `
	), d AS (
	    SELECT operator_id, sum(n) AS dialogs, coalesce(sum(n) FILTER (WHERE consented), 0) AS consents,
	           coalesce(sum(n) FILTER (WHERE converted), 0) AS conversions,
	           coalesce(sum(n) FILTER (WHERE closed_in AND csat IS NOT NULL), 0) AS ratings,
	           coalesce(sum(n) FILTER (WHERE closed_in AND csat = 5), 0) AS top,
	           coalesce(sum(csat * n) FILTER (WHERE closed_in)::numeric
	                    / nullif(sum(n) FILTER (WHERE closed_in AND csat IS NOT NULL), 0), 0) AS average,
	           coalesce(sum(n) FILTER (WHERE closed_in AND qa IS NOT NULL), 0) AS reviews,
	           coalesce(sum(qa * n) FILTER (WHERE closed_in)::numeric
	                    / nullif(sum(n) FILTER (WHERE closed_in AND qa IS NOT NULL), 0), 0) AS qa_score
	    FROM w GROUP BY operator_id
	)
	SELECT u.id, coalesce(nullif(u.display_name, ''), u.login),
	       coalesce(d.dialogs, 0)::bigint, coalesce(a.answered, 0), coalesce(a.in_time, 0), coalesce(a.bins, '{}'),
	       coalesce(d.consents, 0)::bigint, coalesce(d.conversions, 0)::bigint, coalesce(d.ratings, 0)::bigint,
	       coalesce(d.top, 0)::bigint, coalesce(d.average, 0), coalesce(d.reviews, 0)::bigint, coalesce(d.qa_score, 0)
	FROM users u
	LEFT JOIN d ON d.operator_id = u.id
	LEFT JOIN a ON a.operator_id = u.id
	WHERE ((u.role = 'operator' AND u.active) OR d.operator_id IS NOT NULL OR a.operator_id IS NOT NULL)
	  AND ($5::bigint = 0 OR u.id = $5::bigint)
	ORDER BY 2, 1`
})

// medianBinsSQL reads, for each (operator, bin), the response times of the period in that bin, in order: the few
// the median falls among (conversation_messages_median_idx holds them by operator, bin and time).
const medianBinsSQL = `
	SELECT t.op, t.bin, array_agg(m.response_ms ORDER BY m.response_ms)
	FROM unnest($7::bigint[], $8::int[]) AS t(op, bin)
	JOIN conversation_messages m ON m.answered_by = t.op AND ` + fineBin + ` = t.bin
	     AND m.created_at >= $1 AND m.created_at < $2 AND m.sla AND m.answered_at IS NOT NULL
	JOIN conversations cv ON cv.id = m.conversation_id LEFT JOIN leads l ON l.id = cv.lead_id
	WHERE ($5::bigint = 0 OR t.op = $5::bigint) AND ` + dialogWhere + `
	GROUP BY t.op, t.bin`

func (rp *Reports) operatorsRolled(ctx context.Context, f Filter) ([]OperatorPeriod, error) {
	// One snapshot: the median's values are read from the raw messages after the histogram from the rollup.
	tx, err := rp.snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("reports: operators %v: %w", f, err)
	}
	defer tx.Rollback(ctx)
	rows, err := queryRolled(ctx, tx, f.Period, &operatorsRolled, f.args())
	if err != nil {
		return nil, fmt.Errorf("reports: operators %v: %w", f, err)
	}
	var out []OperatorPeriod
	var hists [][]int64
	for rows.Next() {
		var o OperatorPeriod
		var bins []int64
		if err := rows.Scan(&o.OperatorID, &o.Name, &o.Dialogs, &o.Answered, &o.InTime, &bins,
			&o.Consents, &o.Conversions, &o.Ratings, &o.Top, &o.AverageRating, &o.Reviews, &o.QAScore); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reports: operators: %w", err)
		}
		out, hists = append(out, o), append(hists, bins)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reports: operators: %w", err)
	}
	// percentile_cont(0.5): the values of ranks ⌊(n-1)/2⌋ and ⌈(n-1)/2⌉, and halfway between them.
	type want struct{ lo, hi rank }
	wants := make([]want, len(out))
	var ops []int64
	var bins []int32
	for i, o := range out {
		if o.Answered == 0 {
			continue
		}
		pos := 0.5 * float64(o.Answered-1)
		wants[i] = want{rankIn(hists[i], int64(math.Floor(pos))), rankIn(hists[i], int64(math.Ceil(pos)))}
		ops, bins = append(ops, o.OperatorID), append(bins, int32(wants[i].lo.bin))
		if wants[i].hi.bin != wants[i].lo.bin {
			ops, bins = append(ops, o.OperatorID), append(bins, int32(wants[i].hi.bin))
		}
	}
	if len(ops) == 0 {
		return out, nil
	}
	values := map[rank][]int64{} // by (operator, bin): the bin's values in order
	rows, err = tx.Query(ctx, medianBinsSQL, f.args(ops, bins)...)
	if err != nil {
		return nil, fmt.Errorf("reports: operators' medians %v: %w", f, err)
	}
	for rows.Next() {
		var op int64
		var bin int
		var vs []int64
		if err := rows.Scan(&op, &bin, &vs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reports: operators' medians: %w", err)
		}
		values[rank{op: op, bin: bin}] = vs
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reports: operators' medians: %w", err)
	}
	for i := range out {
		if out[i].Answered == 0 {
			continue
		}
		lo, okLo := wants[i].lo.value(values, out[i].OperatorID)
		hi, okHi := wants[i].hi.value(values, out[i].OperatorID)
		if !okLo || !okHi {
			return nil, fmt.Errorf("reports: operators %v: operator %d's median bin disagrees with the rollup", f, out[i].OperatorID)
		}
		pos := 0.5 * float64(out[i].Answered-1)
		ms := float64(lo) + float64(hi-lo)*(pos-math.Floor(pos))
		out[i].MedianResponse = time.Duration(ms * float64(time.Millisecond))
	}
	return out, nil
}

// rank is a value's place in one operator's answers: its bin, and its place in the bin. As a map key (op, bin).
type rank struct {
	op  int64
	bin int
	at  int64
}

// rankIn finds the bin of the r-th smallest value (from 0) in a histogram.
func rankIn(hist []int64, r int64) rank {
	for bin, n := range hist {
		if r < n {
			return rank{bin: bin, at: r}
		}
		r -= n
	}
	return rank{bin: len(hist), at: r}
}

func (r rank) value(values map[rank][]int64, op int64) (int64, bool) {
	vs := values[rank{op: op, bin: r.bin}]
	if r.at >= int64(len(vs)) {
		return 0, false
	}
	return vs[r.at], true
}

// coarse folds report_answers' fine bins into the shape's (ResponseLimits).
func coarse(fine []int64) []int {
	out := make([]int, len(ResponseLimits)+1)
	for i, n := range fine {
		j := len(ResponseLimits)
		if i < len(fineLimits) {
			j = 0
			for j < len(ResponseLimits) && ResponseLimits[j] < fineLimits[i] {
				j++
			}
		}
		out[j] += int(n)
	}
	return out
}
