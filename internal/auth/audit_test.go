package auth_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"dozvon/internal/auth"
	"dozvon/internal/pg/pgtest"
)

// An administrator looking for who ran campaign 7 last week: filters by who, by an action or a group of them, by a
// span of time, and pages of the newest first, with the count of all that match.
func TestAuditLogIsFilteredByWhoWhatAndWhenAndPaged(t *testing.T) {
	pool := pgtest.NewDB(t)
	s := auth.NewStore(pool)
	ctx := context.Background()
	day := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	// 30 entries, one an hour: ivanova runs and pauses campaigns, petrov logs in, the CLI imports.
	for i := range 30 {
		e := auth.Entry{Actor: "ivanova", Action: "campaign.run", Object: fmt.Sprintf("campaign %d", i)}
		switch i % 3 {
		case 1:
			e.Actor, e.Action = "petrov", "login.ok"
		case 2:
			e.Action = "campaign.pause"
		}
		if i == 29 {
			e.Actor, e.Action = "cli", "import.clients"
		}
		if err := s.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE audit_log SET at = $1::timestamptz + (id - 1) * interval '1 hour'`, day); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		filter  auth.AuditFilter
		total   int
		objects string // of the page, newest first
	}{
		"everything, first page": {auth.AuditFilter{Limit: 3}, 30,
			"[campaign 29 campaign 28 campaign 27]"},
		"everything, third page": {auth.AuditFilter{Offset: 6, Limit: 3}, 30,
			"[campaign 23 campaign 22 campaign 21]"},
		"who": {auth.AuditFilter{Actor: "petrov", Limit: 2}, 10,
			"[campaign 28 campaign 25]"},
		"what": {auth.AuditFilter{Action: "campaign.pause", Limit: 20}, 9,
			"[campaign 26 campaign 23 campaign 20 campaign 17 campaign 14 campaign 11 campaign 8 campaign 5 campaign 2]"},
		"a group of actions": {auth.AuditFilter{Action: "campaign.", Actor: "ivanova", Limit: 3}, 19,
			"[campaign 27 campaign 26 campaign 24]"},
		"when, from 10:00 to 12:00": {auth.AuditFilter{From: day.Add(time.Hour), To: day.Add(3 * time.Hour), Limit: 10}, 2,
			"[campaign 2 campaign 1]"},
		"who, what and when": {auth.AuditFilter{Actor: "ivanova", Action: "campaign.run", From: day, To: day.Add(7 * time.Hour), Limit: 10}, 3,
			"[campaign 6 campaign 3 campaign 0]"},
		"a page past the end": {auth.AuditFilter{Actor: "cli", Offset: 5, Limit: 5}, 1, "[]"},
		"nobody":              {auth.AuditFilter{Actor: "sidorov", Limit: 5}, 0, "[]"},
	} {
		got, total, err := s.SearchAudit(ctx, c.filter)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		objects := []string{}
		for _, e := range got {
			objects = append(objects, e.Object)
		}
		if total != c.total || fmt.Sprint(objects) != c.objects {
			t.Errorf("%s: %d in all, page %v; want %d and %s", name, total, objects, c.total, c.objects)
		}
	}
	actors, actions, err := s.AuditNames(ctx)
	if err != nil || fmt.Sprint(actors) != "[cli ivanova petrov]" ||
		fmt.Sprint(actions) != "[campaign.pause campaign.run import.clients login.ok]" {
		t.Errorf("names: %v %v (%v)", actors, actions, err)
	}
}
