package reports_test

import (
	"context"
	"math"
	"testing"
	"time"

	"dozvon/internal/demo/demotest"
	"dozvon/reports"
)

// The dashboard's sanity check: over the demo's two weeks the report shows the reference figures the demo's past
// was laid out to have, each within a point, on the same bases (internal/demo/history.go).
func TestReportOverTheDemosTwoWeeksShowsTheReferenceFigures(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	pool, _ := demotest.Seeded(t, now)
	p := reports.Period{From: now.AddDate(0, 0, -15), To: now}
	rp := reports.New(pool)

	near := func(what string, s reports.Share, want float64) {
		t.Helper()
		got, ok := s.Percent()
		if !ok || math.Abs(got-want) > 1 {
			t.Errorf("%s: %.2f%% (%d of %d), want %.1f%% ± 1", what, got, s.N, s.Of, want)
		}
	}
	c, err := rp.Conversion(ctx, reports.Filter{Period: p})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range c.ByKind {
		ref := reports.References[f.Kind]
		if f.Written < 200 {
			t.Fatalf("%s: %d leads written to", f.Kind, f.Written)
		}
		if ref.Reply > 0 {
			near(f.Kind+" replied", f.Reply(), ref.Reply)
		}
		near(f.Kind+" consented", f.Consent(), ref.Consent)
		near(f.Kind+" converted", f.Convert(), ref.Convert)
	}
	if len(c.ByCampaign) != 3 {
		t.Errorf("%d campaigns wrote in the demo's past, want 3", len(c.ByCampaign))
	}

	days, err := rp.ServiceByDay(ctx, reports.Filter{Period: p}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	total := reports.ServiceTotal(days)
	near("answered within 60 s", total.AnsweredIn60(), reports.ReferenceAnsweredIn60)
	near("top CSAT", total.TopCSAT(), reports.ReferenceTopCSAT)

	ops, err := rp.Operators(ctx, reports.Filter{Period: p})
	if err != nil {
		t.Fatal(err)
	}
	var answered, inTime int
	for _, o := range ops {
		answered, inTime = answered+o.Answered, inTime+o.InTime
	}
	if answered != total.Answered || inTime != total.InTime {
		t.Errorf("the operators answered %d (%d in time), the days %d (%d): every answer has its operator",
			answered, inTime, total.Answered, total.InTime)
	}
}
