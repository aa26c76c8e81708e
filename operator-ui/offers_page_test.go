package operatorui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dozvon/internal/auth"
	"dozvon/messenger"
)

func TestOffersAreForSupervisorsOnly(t *testing.T) {
	s := newSupervisedSite(t)
	var first int64
	if err := s.Pool.QueryRow(context.Background(), `SELECT min(id) FROM offers`).Scan(&first); err != nil {
		t.Fatal(err)
	}
	for _, role := range []auth.Role{auth.Operator, auth.Manager} {
		c := s.loggedIn(role)
		for _, p := range []string{"/offers", "/offers/new", fmt.Sprintf("/offers/%d", first)} {
			if res, _ := s.get(c, p); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s as %s: %d, want 403", p, role, res.StatusCode)
			}
		}
		for _, p := range []string{"/offers", fmt.Sprintf("/offers/%d", first), fmt.Sprintf("/offers/%d/delete", first)} {
			if res := s.post(c, p, url.Values{"title": {"Взлом"}, "body": {"Взлом"}}); res.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s as %s: %d, want 403", p, role, res.StatusCode)
			}
		}
	}
	var n int
	if err := s.Pool.QueryRow(context.Background(), `SELECT count(*) FROM offers WHERE title = 'РКО: тариф «Старт»'
		AND (SELECT count(*) FROM offers) = 3`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("refused requests changed the offers (%v)", err)
	}
	if res, _ := s.get(s.loggedIn(auth.Supervisor), "/offers/999999"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown offer: %d, want 404", res.StatusCode)
	}
}

// A supervisor keeps the offers on /offers; the console lists what they keep and sends it as the operator's own
// reply, escaped for Telegram like anything an operator types.
func TestSupervisorKeepsOffersAndTheConsoleSendsThem(t *testing.T) {
	d := newConsoleDesk(t)
	ctx := context.Background()
	sup := d.loggedIn(auth.Supervisor)

	res, list := d.get(sup, "/offers")
	if res.StatusCode != http.StatusOK || !strings.Contains(list, "РКО: тариф «Старт»") ||
		!strings.Contains(list, "Интернет-эквайринг") || !strings.Contains(list, `href="/offers/new"`) {
		t.Fatalf("/offers: %d", res.StatusCode)
	}
	if _, home := d.get(sup, "/live"); !strings.Contains(home, `href="/offers"`) || !strings.Contains(home, `data-key="o"`) {
		t.Error("the navigation has no g o link to the offers")
	}

	for _, c := range []struct{ title, body, want string }{
		{"", "текст", "A title of 1–120 characters is required."},
		{strings.Repeat("я", 121), "текст", "A title of 1–120 characters is required."},
		{"Акция", "  ", "The text is empty or longer than 4096 characters."},
		{"Акция", strings.Repeat("я", 4097), "The text is empty or longer than 4096 characters."},
		{"Акция", "текст", "Choose a product from the list."}, // a product the form does not offer
	} {
		product := ""
		if c.want == "Choose a product from the list." {
			product = "deposit"
		}
		status, body := postForm(t, sup, d.URL+"/offers", url.Values{"title": {c.title}, "body": {c.body}, "product": {product}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("title %.10q body %.10q: %d, want 422 with %q", c.title, c.body, status, c.want)
		}
	}
	d.post(sup, "/account/locale", url.Values{"locale": {"ru"}})
	if status, body := postForm(t, sup, d.URL+"/offers", url.Values{"title": {""}, "body": {"Сохраню текст"}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "Нужно название от 1 до 120 символов.") || !strings.Contains(body, "Сохраню текст") {
		t.Errorf("in Russian: %d, want the Russian message with the text kept", status)
	}
	d.post(sup, "/account/locale", url.Values{"locale": {"en"}})

	body := "Кэшбэк <b>5%</b> & \"бонус\" <a href=\"https://evil.example\">тут</a>"
	if res := d.post(sup, "/offers", url.Values{"title": {"Кэшбэк <i>"}, "body": {body}}); res.StatusCode != http.StatusSeeOther ||
		res.Header.Get("Location") != "/offers" {
		t.Fatalf("create: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var id int64
	if err := d.Pool.QueryRow(ctx, `SELECT id FROM offers WHERE title = 'Кэшбэк <i>'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	_, list = d.get(sup, "/offers")
	if !strings.Contains(list, "Offer “Кэшбэк &lt;i&gt;” saved.") || !strings.Contains(list, "Кэшбэк &lt;b&gt;5%&lt;/b&gt;") ||
		strings.Contains(list, "<b>5%") {
		t.Error("the list does not show the new offer as text")
	}
	if res := d.post(sup, fmt.Sprintf("/offers/%d", id), url.Values{"title": {"Кэшбэк"}, "body": {body}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d", res.StatusCode)
	}

	// The operator's console offers it, and sends it as their reply, escaped.
	opID := d.ids[auth.Operator]
	op := d.loggedIn(auth.Operator)
	c := d.chatWith("ООО Ромашка")
	d.write(c, "Есть акции?")
	d.online(opID)
	convID, _ := d.convOf(c)
	path := fmt.Sprintf("/console/api/dialogs/%d", convID)
	code, raw := d.call(op, "GET", path+"/card", nil)
	card := decode[struct {
		Offers []struct {
			ID          int64
			Title, Text string
		} `json:"offers"`
	}](t, raw)
	// A missed-call dialog: the account offers first, then the new one (for any lead), then acquiring.
	var titles []string
	for _, o := range card.Offers {
		titles = append(titles, o.Title)
	}
	if code != 200 || strings.Join(titles, " | ") != "РКО: тариф «Старт» | РКО: тариф «Активный» | Кэшбэк | Интернет-эквайринг" ||
		card.Offers[2].ID != id || card.Offers[2].Text != body {
		t.Fatalf("card: %d %q", code, titles)
	}
	if code, raw := d.call(op, "POST", fmt.Sprintf("%s/offers/%d", path, id), nil); code != 201 {
		t.Fatalf("send the offer: %d %s", code, raw)
	}
	var sent string
	if err := d.Pool.QueryRow(ctx, `SELECT o.text FROM outbox o JOIN conversation_messages m ON m.outbox_id = o.id
		WHERE m.conversation_id = $1 AND m.author_id = $2`, convID, opID).Scan(&sent); err != nil {
		t.Fatal(err)
	}
	if sent != messenger.Escape(body) || strings.Contains(sent, "<a ") {
		t.Fatalf("sent %q, want %q", sent, messenger.Escape(body))
	}

	// Deleted, it leaves the console; what was sent stays.
	if res := d.post(sup, fmt.Sprintf("/offers/%d/delete", id), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if code, raw := d.call(op, "POST", fmt.Sprintf("%s/offers/%d", path, id), nil); code != 404 ||
		decode[consoleErr](t, raw).Error != "There is no such offer." {
		t.Errorf("sending a deleted offer: %d %s", code, raw)
	}
	if code, raw := d.call(op, "POST", path+"/offers/rko_start", nil); code != 404 {
		t.Errorf("an offer by its old key: %d %s", code, raw)
	}
	if _, raw := d.call(op, "GET", path, nil); !strings.Contains(raw, "Кэшбэк") {
		t.Error("the sent offer left the dialog")
	}
	rows, err := d.Pool.Query(ctx, `SELECT action || ' ' || object FROM audit_log WHERE action LIKE 'offer.%' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var audit []string
	for rows.Next() {
		var l string
		_ = rows.Scan(&l)
		audit = append(audit, l)
	}
	if strings.Join(audit, "; ") != "offer.create Кэшбэк <i>; offer.update Кэшбэк; offer.delete Кэшбэк" {
		t.Errorf("audit = %q", audit)
	}
}
