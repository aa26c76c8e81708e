package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"dozvon/internal/browsertest"
)

// TestManagerBuildsAScheduleAndSearchesContacts is a campaign manager on a demo installation: the schedule
// builder writes the cron text it shows (and reads a typed one back), the next runs come in the manager's zone
// with the schedule's own beside them, and the contact registry finds a client by INN and by phone as people
// type them, a page at a time.
func TestManagerBuildsAScheduleAndSearchesContacts(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data, "DOZVON_DEMO=true")

	// A linked demo client, as the bank's systems know it: INN, company, phone.
	ctx := context.Background()
	pool := attachDatabase(t, data)
	var inn, company, phone string
	var linked int
	err := pool.QueryRow(ctx, `
		SELECT k.inn, k.company_name, ct.phone, (SELECT count(*) FROM contacts)
		FROM contacts ct JOIN contact_leads cl ON cl.contact_id = ct.id JOIN leads l ON l.id = cl.lead_id
		JOIN clients k ON k.id = l.client_id
		WHERE k.inn IS NOT NULL AND ct.phone IS NOT NULL
		  AND (SELECT count(*) FROM clients k2 WHERE k2.inn LIKE k.inn || '%') = 1
		ORDER BY ct.id LIMIT 1`).Scan(&inn, &company, &phone, &linked)
	if err != nil {
		t.Fatalf("the demo data has no linked client with an INN and a phone: %v", err)
	}
	pool.Close()

	page := browsertest.New(t)
	if status := page.Login(srv.URL, "manager", srv.DemoPassword); status != http.StatusOK {
		t.Fatalf("manager login: status %d", status)
	}

	// The builder: weekdays at 10:00 and 15:00 Vladivostok time.
	page.Open(srv.URL + "/campaigns/new")
	// Clicked once the page has settled (a click during layout may land beside the box), and each box checked.
	waitJS(t, page, `document.readyState === "complete"`, "the campaign form loaded")
	for _, d := range []string{"1", "2", "3", "4", "5"} {
		box := testid("sched-day-" + d)
		page.Click(box)
		waitJS(t, page, `document.querySelector("`+box+`").checked`, "day "+d+" ticked")
	}
	page.Select(testid("sched-zone"), "Asia/Vladivostok")
	page.Fill(testid("sched-times"), "10:00, 15:00")
	want := "CRON_TZ=Asia/Vladivostok 0 10,15 * * 1-5"
	if got := page.Value(testid("f-schedule")); got != want {
		t.Fatalf("the builder wrote %q, want %q", got, want)
	}
	// The next runs are the server's reading of that text: in Moscow time (the manager's), Vladivostok's beside.
	page.WaitText(testid("next-runs"), "(10:00 UTC+10)")
	runs := page.Text(testid("next-runs"))
	slot := regexp.MustCompile(`^(пн|вт|ср|чт|пт) \d\d\.\d\d\.20\d\d (03:00 МСК \(10:00|08:00 МСК \(15:00) UTC\+10\)$`)
	lines := strings.Split(runs, "\n")
	if len(lines) != 5 {
		t.Fatalf("next runs %q, want five", runs)
	}
	for _, l := range lines {
		if !slot.MatchString(strings.TrimSpace(l)) {
			t.Errorf("next run %q is not a weekday at 10:00 or 15:00 in Vladivostok", l)
		}
	}
	// Times with different minutes cannot be one schedule: the builder says so, and the text keeps the last one
	// it could write as the times were typed (10:00 alone).
	page.Fill(testid("sched-times"), "10:00, 15:30")
	page.WaitText(testid("sched-note"), "минуты")
	if got := page.Value(testid("f-schedule")); got != "CRON_TZ=Asia/Vladivostok 0 10 * * 1-5" {
		t.Errorf("a schedule the builder cannot write changed the text to %q", got)
	}
	// A schedule typed by hand is read back into the builder.
	page.Fill(testid("f-schedule"), "CRON_TZ=Europe/Moscow 30 9 * * 6,0")
	page.WaitText(testid("next-runs"), "09:30 МСК")
	if got := page.Value(testid("sched-times")); got != "09:30" {
		t.Errorf("times read back %q, want 09:30", got)
	}
	if got := page.Value(testid("sched-zone")); got != "Europe/Moscow" {
		t.Errorf("zone read back %q", got)
	}
	if page.Count(`[data-day]:checked`) != 2 || page.Count(testid("sched-day-6")+":checked") != 1 ||
		page.Count(testid("sched-day-0")+":checked") != 1 {
		t.Errorf("days read back: %d checked, want Saturday and Sunday", page.Count(`[data-day]:checked`))
	}

	// Contacts: the first page of the registry, then a search by INN and one by the phone as a person dials it.
	page.Open(srv.URL + "/contacts")
	if got := page.Count(testid("contact")); got != min(linked, 50) {
		t.Errorf("the first page has %d contacts, want %d", got, min(linked, 50))
	}
	if linked > 50 && !page.Has(testid("page-next")) {
		t.Error("no next page")
	}
	page.Fill(testid("contact-q"), inn)
	page.Submit(testid("contact-search-go"))
	if got := page.Count(testid("contact")); got != 1 || !strings.Contains(page.Text(testid("contact-leads")), company) {
		t.Errorf("search by INN %s: %d contacts, leads %q; want the one of %s", inn, got, page.Text(testid("contact-leads")), company)
	}
	if q := page.URL().Query().Get("q"); q != inn {
		t.Errorf("the search is not in the address (%q), so it cannot be shared or reloaded", q)
	}
	dialed := "8 (" + phone[2:5] + ") " + phone[5:8] + "-" + phone[8:10] + "-" + phone[10:]
	page.Open(srv.URL + "/contacts?q=" + url.QueryEscape(dialed))
	if got := page.Text(testid("contact-phone")); got != phone {
		t.Errorf("search by %q found %q, want %s", dialed, got, phone)
	}
	page.Open(srv.URL + "/contacts?q=" + url.QueryEscape("нет такой компании"))
	if page.Count(testid("contact")) != 0 || page.Text(testid("contacts-shown")) != "Ничего не найдено." {
		t.Error("a search that matches nothing does not say so")
	}
}
