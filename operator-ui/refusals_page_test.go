package operatorui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"dozvon/internal/auth"
)

// A supervisor adds a refusal reason and switches one off; an operator records a refusal with a reason from the
// list and a comment, over the console's API; the refusal is counted on the report in the reader's language.
func TestRefusalReasonsAreKeptBySupervisorsPickedByOperatorsAndReported(t *testing.T) {
	d := newConsoleDesk(t)
	ctx := context.Background()
	sup, op, mgr := d.loggedIn(auth.Supervisor), d.loggedIn(auth.Operator), d.loggedIn(auth.Manager)

	if res := d.post(sup, "/refusal-reasons", url.Values{"label_ru": {"Нужен офис рядом"}, "label_en": {"Needs an office nearby"},
		"position": {"35"}, "active": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add a reason: %d", res.StatusCode)
	}
	var added, other int64
	if err := d.Pool.QueryRow(ctx, `SELECT (SELECT id FROM refusal_reasons WHERE label_en = 'Needs an office nearby'),
		(SELECT id FROM refusal_reasons WHERE label_en = 'Other')`).Scan(&added, &other); err != nil {
		t.Fatal(err)
	}
	res, body := d.get(sup, "/refusal-reasons")
	if res.StatusCode != 200 || !strings.Contains(body, `value="Нужен офис рядом"`) {
		t.Fatalf("the list: %d", res.StatusCode)
	}
	res2 := d.post(sup, fmt.Sprintf("/refusal-reasons/%d", other), url.Values{"label_ru": {"Другое"}, "label_en": {" "}, "position": {"1000"}})
	if res2.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("an empty English label: %d, want 422", res2.StatusCode)
	}
	if res := d.post(sup, fmt.Sprintf("/refusal-reasons/%d", other), url.Values{"label_ru": {"Другое"}, "label_en": {"Other"},
		"position": {"1000"}}); res.StatusCode != http.StatusSeeOther { // no "active": switched off
		t.Fatalf("switch a reason off: %d", res.StatusCode)
	}
	if res, _ := d.get(op, "/refusal-reasons"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("an operator opens the list: %d, want 403", res.StatusCode)
	}

	c := d.chatWith("ООО «Спектр»")
	d.write(c, "Нам неудобно ездить")
	d.online(d.ids[auth.Operator])
	convID, _ := d.convOf(c)
	if _, page := d.get(op, "/console"); !strings.Contains(page, fmt.Sprintf(`<option value="%d">Needs an office nearby</option>`, added)) ||
		strings.Contains(page, ">Other</option>") {
		t.Fatal("the console's refusal form does not offer the active reasons only")
	}
	path := fmt.Sprintf("/console/api/dialogs/%d/outcome", convID)
	if code, raw := d.call(op, "POST", path, map[string]any{"kind": "refusal", "reason_id": other}); code != 422 ||
		decode[consoleErr](t, raw).Error != "Choose a reason from the list (this one was switched off)." {
		t.Fatalf("a switched-off reason: %d %s", code, raw)
	}
	if code, raw := d.call(op, "POST", path, map[string]any{"kind": "refusal", "reason_id": added, "reason": "час до офиса"}); code != 201 {
		t.Fatalf("a refusal: %d %s", code, raw)
	}

	today := time.Now().Format("2006-01-02")
	res, body = d.get(mgr, "/reports/refusals?from="+today+"&to="+today)
	if res.StatusCode != 200 || !strings.Contains(body, "<td class=\"row-label\">Needs an office nearby</td><td class=\"num\">1</td>") {
		t.Fatalf("the report: %d\n%s", res.StatusCode, body)
	}
	if res, _ := d.get(mgr, "/reports/refusals.xlsx?from="+today+"&to="+today); res.StatusCode != 200 ||
		res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("the Excel file: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// The operator's own first-minute figure is written as the reports write shares, in their language, and comes
// with every refetch of the console's state, which every live event triggers.
func TestTheOperatorsFirstMinuteFigureIsInTheirLanguageAndLive(t *testing.T) {
	d := newConsoleDesk(t)
	op := d.loggedIn(auth.Operator)
	if code, raw := d.call(op, "GET", "/console/api/state", nil); code != 200 || decode[struct {
		Answered string `json:"answered_60"`
	}](t, raw).Answered != "—" {
		t.Fatalf("before any answer: %d %s", code, raw)
	}
	c := d.chatWith("ООО «Спектр»")
	d.write(c, "Здравствуйте")
	d.online(d.ids[auth.Operator])
	convID, _ := d.convOf(c)
	if _, err := d.Dialog.Reply(context.Background(), convID, d.ids[auth.Operator], "Добрый день!"); err != nil {
		t.Fatal(err)
	}
	if err := d.Users.SetLocale(context.Background(), d.ids[auth.Operator], "ru"); err != nil {
		t.Fatal(err)
	}
	code, raw := d.call(op, "GET", "/console/api/state", nil)
	if got := decode[struct {
		Answered string `json:"answered_60"`
	}](t, raw).Answered; code != 200 || got != "100,0\u202f%" {
		t.Fatalf("after a quick answer: %d %q, want 100,0 %%", code, got)
	}
	if _, page := d.get(op, "/console"); !strings.Contains(page, "100,0\u202f%") {
		t.Fatal("the page does not start with the same figure")
	}
}
