package main

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
)

// TestSupervisorSetsAnOperatorsCapacityAndQueuesAndKeepsOffers is a supervisor's forms in a real browser: an
// operator's capacity and queues on /live/operators/{id}, then a new product offer on /offers, each saved with its
// confirmation and shown as saved after the redirect.
func TestSupervisorSetsAnOperatorsCapacityAndQueuesAndKeepsOffers(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data)

	ctx := context.Background()
	pool := attachDatabase(t, data)
	const password = "Supervisor-chose-2"
	users := auth.NewStore(pool)
	if _, err := users.Create(ctx, auth.NewUser{Login: "sveta", DisplayName: "Svetlana", Role: auth.Supervisor,
		Password: password, Locale: "en"}); err != nil {
		t.Fatal(err)
	}
	op, err := users.Create(ctx, auth.NewUser{Login: "pavel", DisplayName: "Pavel", Role: auth.Operator,
		Password: password, Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	var missed, acquiring int64
	if err := pool.QueryRow(ctx, `SELECT (SELECT id FROM queues WHERE name = 'missed_call'),
		(SELECT id FROM queues WHERE name = 'acquiring')`).Scan(&missed, &acquiring); err != nil {
		t.Fatal(err)
	}

	page := browsertest.New(t)
	if status := page.Login(srv.URL, "sveta", password); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	path := "/live/operators/" + strconv.FormatInt(op.ID, 10)
	if status := page.Open(srv.URL + path); status != http.StatusOK {
		t.Fatalf("%s: %d", path, status)
	}
	page.WaitText(testid("operator-title"), "Pavel")

	page.Fill(testid("f-capacity"), "3")
	if status := page.Submit(testid("capacity-save")); status != http.StatusOK || page.Path() != path {
		t.Fatalf("save the capacity: %d, on %s", status, page.Path())
	}
	page.WaitText(testid("flash"), "Pavel: capacity 3.")
	if v := page.Value(testid("f-capacity")); v != "3" {
		t.Errorf("the capacity field after saving: %q", v)
	}

	checkbox := func(queue int64) string {
		return `input[data-testid=f-queue][value="` + strconv.FormatInt(queue, 10) + `"]`
	}
	page.Click(checkbox(missed))
	page.Click(checkbox(acquiring))
	if status := page.Submit(testid("queues-save")); status != http.StatusOK || page.Path() != path {
		t.Fatalf("save the queues: %d, on %s", status, page.Path())
	}
	page.WaitText(testid("flash"), "Pavel: queues saved.")
	if n := page.Count(`input[data-testid=f-queue]:checked`); n != 2 || !page.Has(checkbox(missed)+":checked") ||
		!page.Has(checkbox(acquiring)+":checked") {
		t.Errorf("%d queues checked after saving, want missed calls and acquiring", n)
	}
	var capacity int
	var queues []int64
	if err := pool.QueryRow(ctx, `SELECT capacity, queues FROM operator_states WHERE user_id = $1`, op.ID).Scan(&capacity, &queues); err != nil {
		t.Fatal(err)
	}
	if capacity != 3 || len(queues) != 2 {
		t.Errorf("stored capacity %d, queues %v", capacity, queues)
	}

	if status := page.Open(srv.URL + "/offers/new"); status != http.StatusOK {
		t.Fatalf("/offers/new: %d", status)
	}
	page.Fill(testid("f-title"), "Эквайринг: СБП за 0,4%")
	page.Select(testid("f-product"), "acquiring")
	page.Fill(testid("f-body"), "Оплата по QR-коду СБП — 0,4% за операцию.\nПодключим за один день.")
	if status := page.Submit(testid("offer-save")); status != http.StatusOK || page.Path() != "/offers" {
		t.Fatalf("create the offer: %d, on %s", status, page.Path())
	}
	page.WaitText(testid("flash"), "Offer “Эквайринг: СБП за 0,4%” saved.")
	row := `[data-testid=offer]:last-child`
	if title, product := page.Text(row+" [data-testid=offer-title]"), page.Text(row+" [data-testid=offer-product]"); title != "Эквайринг: СБП за 0,4%" ||
		product != "Acquiring (cross-sell)" {
		t.Errorf("the new offer's row: %q, %q", title, product)
	}
}
