package demo_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"dozvon/campaigns"
	"dozvon/internal/auth"
	"dozvon/internal/demo"
	"dozvon/internal/pg/pgtest"
)

// The /price script, the past's dialogs and the offers operators send name one set of tariffs at one set of
// prices: an operator who types /price and then sends an offer must not tell the client two stories.
func TestPriceScriptDialogsAndOffersNameTheSameTariffs(t *testing.T) {
	pool := pgtest.NewDB(t)
	offers := map[string]string{} // tariff name → the offer's text
	rows, err := pool.Query(context.Background(), `SELECT title, body FROM offers WHERE product = 'rko'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var title, body string
		if err := rows.Scan(&title, &body); err != nil {
			t.Fatal(err)
		}
		if m := regexp.MustCompile(`«(.+)»`).FindStringSubmatch(title); m != nil {
			offers[m[1]] = body
		}
	}
	if len(offers) != 2 {
		t.Fatalf("RKO offers %v, want two tariffs", offers)
	}
	var price string
	for _, s := range demo.Scripts {
		if s.Shortcut == "price" {
			price = s.Body
		}
	}
	named := regexp.MustCompile(`«([^»]+)»([^\n]*)`)
	lines := named.FindAllStringSubmatch(price, -1)
	if len(lines) != len(offers) {
		t.Errorf("/price names %d tariffs, the offers %d", len(lines), len(offers))
	}
	amount := regexp.MustCompile(`\d[\d ]* ₽`)
	for _, l := range lines {
		offer, ok := offers[l[1]]
		if !ok {
			t.Errorf("/price names «%s», which is no offer", l[1])
			continue
		}
		for _, a := range amount.FindAllString(l[2], -1) {
			if !strings.Contains(offer, strings.TrimSpace(a)) {
				t.Errorf("/price says %s for «%s»; the offer does not:\n%s", a, l[1], offer)
			}
		}
	}

	// The past's operators speak of the same tariffs.
	users := auth.NewStore(pool)
	users.Cost = bcrypt.MinCost
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	camps := campaigns.NewStore(pool)
	camps.Now = func() time.Time { return now }
	if _, err := demo.Seed(context.Background(), pool, users, camps, now); err != nil {
		t.Fatal(err)
	}
	var said []string
	rows, err = pool.Query(context.Background(), `
		SELECT DISTINCT (regexp_matches(text, 'тариф[а-я]* «([^»]+)»', 'g'))[1] FROM conversation_messages`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		said = append(said, name)
		if _, ok := offers[name]; !ok {
			t.Errorf("the demo's past dialogs name the tariff «%s», which is no offer", name)
		}
	}
	if len(said) == 0 {
		t.Error("the demo's past dialogs name no tariff at all: the check above checked nothing")
	}
}
