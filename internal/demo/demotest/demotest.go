// Package demotest seeds the demo into a test's fresh database, for tests that check figures against the demo's
// past (the demo's own, and the reports' sanity check of the dashboards).
package demotest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"dozvon/campaigns"
	"dozvon/internal/auth"
	"dozvon/internal/demo"
	"dozvon/internal/pg/pgtest"
)

// Seeded returns a fresh database holding the demo as Seed writes it at now, and what Seed reported. Passwords
// are hashed at bcrypt's lowest cost: the demo team's logins are not what these tests look at.
func Seeded(t testing.TB, now time.Time) (*pgxpool.Pool, demo.Seeded) {
	t.Helper()
	pool := pgtest.NewDB(t)
	users := auth.NewStore(pool)
	users.Cost = bcrypt.MinCost
	camps := campaigns.NewStore(pool)
	camps.Now = func() time.Time { return now }
	s, err := demo.Seed(context.Background(), pool, users, camps, now)
	if err != nil {
		t.Fatal(err)
	}
	return pool, s
}
