package reports_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/internal/pg/pgtest"
	"dozvon/reports"
)

// benchNow is the end of the benchmark's year of work.
var benchNow = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// loadYear writes a year of a large team's work, set-based: 2,000,000 leads written to by six campaigns (two per
// kind), of whom 1,000,000 replied; each dialog has ten messages (five from the client, each answered by one of
// 20 operators, 91% of them within a minute; five replies, each also an outbox row), a rating for 70% and a QA
// review for 5%; 15% of dialogs consent and a third of those convert. That is 10,000,000 conversation messages
// and 7,000,000 outbox rows.
func loadYear(b *testing.B, pool *pgxpool.Pool) {
	ctx := context.Background()
	began := time.Now()
	var loaded int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM conversations`).Scan(&loaded); err != nil {
		b.Fatal(err)
	}
	if loaded == 1_000_000 { // a cluster kept by DOZVON_BENCH_DATA: the year is there
		b.Log("the year is loaded already (DOZVON_BENCH_DATA)")
		refreshAndChange(b, pool)
		return
	}
	for _, q := range []string{
		`INSERT INTO users (login, display_name, role, password_hash)
		 SELECT 'op' || i, 'Оператор ' || i, 'operator', 'x' FROM generate_series(1, 20) i`,
		`INSERT INTO users (login, role, password_hash) VALUES ('qa', 'supervisor', 'x')`,
		`INSERT INTO campaigns (name, lead_kind, status)
		 SELECT 'Кампания ' || i, (ARRAY['missed_call', 'follow_up', 'acquiring'])[(i - 1) % 3 + 1], 'active'
		 FROM generate_series(1, 6) i`,
		`INSERT INTO clients (external_id, company_name) SELECT 'b' || i, 'ООО ' || i FROM generate_series(1, 2000000) i`,
		// Lead i is written to at $1 + i × 15.768 s (a year over 2,000,000), by campaign 1 + i % 6 of its kind.
		`INSERT INTO leads (client_id, kind, created_at)
		 SELECT i, (ARRAY['missed_call', 'follow_up', 'acquiring'])[i % 3 + 1], $1::timestamptz + i * interval '15.768 s'
		 FROM generate_series(1, 2000000) i`,
		`INSERT INTO outbox (campaign_id, lead_id, channel, bot_id, chat_id, text, state, created_at, sent_at)
		 SELECT 1 + i % 6, i, 'telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), i, 'Здравствуйте', 'sent', $1::timestamptz + i * interval '15.768 s',
		        $1::timestamptz + i * interval '15.768 s'
		 FROM generate_series(1, 2000000) i`,
		`INSERT INTO contacts (channel, bot_id, chat_id) SELECT 'telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), i FROM generate_series(1, 1000000) i`,
		// Conversation c is lead 2c's reply, an hour after its message, held by operator 1 + c % 20.
		`INSERT INTO conversations (contact_id, channel, client_id, lead_id, campaign_id, status, operator_id, opened_at,
		     closed_at, csat, csat_at)
		 SELECT c, 'telegram', 2 * c, 2 * c, 1 + (2 * c) % 6, 'closed', 1 + c % 20, t + interval '1 hour', t + interval '1 day',
		        CASE WHEN c % 10 < 7 THEN CASE WHEN c % 20 = 3 THEN 4 ELSE 5 END END,
		        CASE WHEN c % 10 < 7 THEN t + interval '1 day 1 minute' END
		 FROM generate_series(1, 1000000) c, LATERAL (SELECT $1::timestamptz + 2 * c * interval '15.768 s' AS t) x`,
		`INSERT INTO conversation_messages (conversation_id, direction, created_at, answered_at, answered_by, response_ms, sla)
		 SELECT c.id, 'in', c.opened_at + k * interval '10 minutes', c.opened_at + k * interval '10 minutes' + r * interval '1 ms',
		        c.operator_id, r, true
		 FROM conversations c, generate_series(0, 4) k,
		      LATERAL (SELECT CASE WHEN (c.id * 7 + k * 13) % 100 < 91 THEN 5000 + (c.id * 31 + k) % 55000
		                           ELSE 61000 + (c.id * 17 + k) % 500000 END AS r) x`,
		`WITH replies AS (
		     INSERT INTO outbox (conversation_id, channel, bot_id, chat_id, text, state, priority, created_at, sent_at)
		     SELECT c.id, 'telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), c.contact_id, 'Ответ', 'sent', 1, t, t
		     FROM conversations c, generate_series(0, 4) k,
		          LATERAL (SELECT c.opened_at + k * interval '10 minutes' + interval '30 s' AS t) x
		     RETURNING id, conversation_id, created_at
		 )
		 INSERT INTO conversation_messages (conversation_id, direction, author_id, created_at, outbox_id)
		 SELECT r.conversation_id, 'out', 1 + r.conversation_id % 20, r.created_at, r.id FROM replies r`,
		`INSERT INTO outcomes (conversation_id, lead_id, kind, recorded_at)
		 SELECT id, lead_id, 'consent', opened_at + interval '20 minutes' FROM conversations WHERE id % 100 < 15`,
		`INSERT INTO outcomes (lead_id, kind, source, recorded_at)
		 SELECT c.lead_id, CASE l.kind WHEN 'acquiring' THEN 'acquiring_connected' ELSE 'account_opened' END, 'import',
		        c.opened_at + interval '5 days'
		 FROM conversations c JOIN leads l ON l.id = c.lead_id WHERE c.id % 100 < 5`,
		`INSERT INTO qa_reviews (conversation_id, reviewer_id, score, answers, reviewed_at)
		 SELECT id, 21, 90 + id % 11, '{}', closed_at + interval '1 hour' FROM conversations WHERE id % 20 = 0`,
		`VACUUM ANALYZE`,
	} {
		args := []any{benchNow.AddDate(-1, 0, 0)}
		if !containsArg(q) {
			args = nil
		}
		if _, err := pool.Exec(ctx, q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	var messages, conversations int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM conversation_messages), (SELECT count(*) FROM conversations)`).
		Scan(&messages, &conversations); err != nil || messages != 10_000_000 || conversations != 1_000_000 {
		b.Fatalf("loaded %d messages, %d conversations (%v)", messages, conversations, err)
	}
	b.Logf("a year loaded in %v", time.Since(began).Round(time.Second))
	refreshAndChange(b, pool)
}

func refreshAndChange(b *testing.B, pool *pgxpool.Pool) {
	ctx := context.Background()
	// The rollups (migration 00032) are filled as `dozvon serve` fills them: its refresh recomputes the hours the
	// writes recorded as changed, here the whole year at once (the backfill).
	began := time.Now()
	hours, err := reports.New(pool).RefreshRollup(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("the rollups of %d hours filled in %v", hours, time.Since(began).Round(time.Second))
	// As between two refreshes of a working day: the last three hours changed (the current hour is always being
	// written) and one nine days back (a conversion imported late). The panels read those four hours raw.
	if _, err := pool.Exec(ctx, `INSERT INTO report_changes (hour)
		SELECT $1::timestamptz - h * interval '1 hour' FROM unnest(ARRAY[1, 2, 3, 9 * 24 + 5]) h`, benchNow); err != nil {
		b.Fatal(err)
	}
}

func containsArg(q string) bool { return slices.Contains([]byte(q), '$') }

// BenchmarkDashboardPanels times each panel of /reports over a year of 10,000,000 messages and 1,000,000
// conversations, on the durable cluster `dozvon serve` runs, as the page asks for them: the default 14 days and
// 30 days, with no filter, a lead kind, and an operator. Each sub-benchmark reports its p95 and median over its
// runs (use -benchtime 20x or more). DOZVON_BENCH_DAYS changes the longer period.
func BenchmarkDashboardPanels(b *testing.B) {
	ctx := context.Background()
	pool := pgtest.Durable(b)
	loadYear(b, pool)
	rp := reports.New(pool)
	zone := time.UTC
	long := 30
	if v := os.Getenv("DOZVON_BENCH_DAYS"); v != "" {
		fmt.Sscan(v, &long)
	}
	filters := func(days int) []reports.Filter {
		p := reports.Period{From: benchNow.AddDate(0, 0, -days), To: benchNow}
		return []reports.Filter{{Period: p}, {Period: p, Kind: reports.FollowUp}, {Period: p, OperatorID: 7}}
	}
	panels := []struct {
		name string
		run  func(reports.Filter) error
	}{
		{"funnel", func(f reports.Filter) error { _, err := rp.Conversion(ctx, f); return err }},
		{"trend-days", func(f reports.Filter) error {
			_, err := rp.FunnelTrend(ctx, f, reports.Days(f.Period, zone))
			return err
		}},
		{"trend-weeks", func(f reports.Filter) error {
			_, err := rp.FunnelTrend(ctx, f, reports.Weeks(f.Period, zone))
			return err
		}},
		{"operators", func(f reports.Filter) error { _, err := rp.Operators(ctx, f); return err }},
		{"service-days", func(f reports.Filter) error { _, err := rp.ServiceByDay(ctx, f, zone); return err }},
		{"shape", func(f reports.Filter) error { _, err := rp.Shape(ctx, f, zone); return err }},
		{"qa-trend", func(f reports.Filter) error { _, err := rp.QATrend(ctx, f, reports.Days(f.Period, zone)); return err }},
		{"team-qa", func(f reports.Filter) error { _, err := rp.TeamQA(ctx, f); return err }},
	}
	for _, days := range []int{14, long} {
		for _, panel := range panels {
			b.Run(fmt.Sprintf("%s-%dd", panel.name, days), func(b *testing.B) {
				fs := filters(days)
				var took []time.Duration
				each := make([][]time.Duration, len(fs))
				for i := range b.N {
					began := time.Now()
					if err := panel.run(fs[i%len(fs)]); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(began))
					each[i%len(fs)] = append(each[i%len(fs)], time.Since(began).Round(time.Millisecond))
				}
				b.Logf("no filter %v, a lead kind %v, an operator %v", each[0], each[1], each[2])
				slices.Sort(took)
				b.ReportMetric(float64(took[(len(took)*95+99)/100-1].Microseconds())/1000, "p95-ms")
				b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
			})
		}
	}
}
