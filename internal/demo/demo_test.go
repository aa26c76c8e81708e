package demo_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"dozvon/campaigns"
	"dozvon/internal/auth"
	"dozvon/internal/demo"
	"dozvon/internal/pg/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestDemoGivesEveryLeadKindAndSeedsOnce(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	users := auth.NewStore(pool)
	users.Cost = bcrypt.MinCost
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	camps := campaigns.NewStore(pool)
	camps.Now = func() time.Time { return now }
	s, err := demo.Seed(ctx, pool, users, camps, now)
	if err != nil {
		t.Fatal(err)
	}
	if s.Clients != 600 || s.Campaigns != 3 || s.Users != len(demo.Team) || s.Chats == 0 {
		t.Fatalf("seeded %+v", s)
	}
	byKind := map[string]int{}
	rows, _ := pool.Query(ctx, `SELECT kind, count(*) FROM leads GROUP BY kind`)
	for rows.Next() {
		var k string
		var n int
		_ = rows.Scan(&k, &n)
		byKind[k] = n
	}
	// Missed calls need two unanswered attempts (about three in four have them); follow-ups wait at least 7 days;
	// acquiring needs a fitting industry (about four in five).
	if byKind["missed_call"] < 150 || byKind["follow_up"] < 100 || byKind["acquiring"] < 80 {
		t.Fatalf("leads by kind %v", byKind)
	}
	var badINN int
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM clients WHERE inn !~ '^([0-9]{10}|[0-9]{12})$'`).Scan(&badINN)
	if badINN != 0 {
		t.Fatalf("%d clients with a malformed INN", badINN)
	}
	again, err := demo.Seed(ctx, pool, users, camps, now)
	if err != nil || again.Clients != 0 {
		t.Fatalf("second seed %+v, %v", again, err)
	}
	if u, err := users.Authenticate(ctx, "operator1", demo.Password, netip.Addr{}); err != nil || u.Role != auth.Operator {
		t.Fatalf("demo operator login: %v", err)
	}
}
