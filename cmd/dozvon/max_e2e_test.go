package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/campaigns"
	"dozvon/internal/apispec"
	"dozvon/internal/auth"
	"dozvon/messenger"
	"dozvon/messenger/max/maxfake"
)

// maxAPI is the MAX fake behind a check of every request against MAX's OpenAPI schema, served over HTTP for
// dozvon serve's MAX_API_URL.
type maxAPI struct {
	fake     *maxfake.Fake
	URL      string
	mu       sync.Mutex
	problems []string
	checked  map[string]int // requests by method and path
}

func startMaxAPI(t *testing.T, opts maxfake.Options) *maxAPI {
	t.Helper()
	spec := apispec.MAXForTest(t)
	a := &maxAPI{fake: maxfake.New(opts), checked: map[string]int{}}
	ln := newLocalListener(t)
	a.URL = "http://" + ln.Addr().String()
	go func() {
		_ = serveOn(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.URL.Path, "/_fake/") {
				errs := spec.CheckHTTP(r)
				a.mu.Lock()
				a.checked[r.Method+" "+r.URL.Path]++
				for _, e := range errs {
					a.problems = append(a.problems, fmt.Sprintf("%s %s?%s: %v", r.Method, r.URL.Path, r.URL.RawQuery, e))
				}
				a.mu.Unlock()
			}
			a.fake.ServeHTTP(w, r)
		}))
	}()
	t.Cleanup(func() { _ = ln.Close(); a.fake.Close() })
	return a
}

// schemaClean fails the test for any request the adapter made that MAX's schema refuses, and says what was checked.
func (a *maxAPI) schemaClean(t *testing.T) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.problems) > 0 {
		t.Errorf("requests to MAX the schema refuses:\n%s", strings.Join(a.problems, "\n"))
	}
	n := 0
	for _, c := range a.checked {
		n += c
	}
	if n == 0 {
		t.Error("no request to MAX was checked against the schema")
	}
	t.Logf("%d requests to MAX checked against the schema", n)
}

// waitFor polls cond until it holds.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// seedLead adds a client with a missed-call lead and returns the lead.
func seedLead(t *testing.T, pool *pgxpool.Pool, external, company, phone string) int64 {
	t.Helper()
	var lead int64
	err := pool.QueryRow(context.Background(), `
		WITH c AS (
		    INSERT INTO clients (external_id, company_name, legal_form, region, timezone, contact_name, phone)
		    VALUES ($1, $2, 'ООО', 'Москва', 'Europe/Moscow', 'Анна', $3) RETURNING id)
		INSERT INTO leads (client_id, kind) SELECT id, 'missed_call' FROM c RETURNING id`, external, company, phone).Scan(&lead)
	if err != nil {
		t.Fatal(err)
	}
	return lead
}

func linkedLeads(pool *pgxpool.Pool, lead int64) int {
	var n int
	_ = pool.QueryRow(context.Background(), `SELECT count(*) FROM contact_leads cl JOIN contacts c ON c.id = cl.contact_id
		WHERE cl.lead_id = $1 AND c.channel = 'max'`, lead).Scan(&n)
	return n
}

// TestTheWholeLoopOnMAX is a bank that speaks only MAX (MAX_BOT_TOKEN, no Telegram): a client linked on MAX by
// sharing their phone gets the campaign there, a lead reachable nowhere gets a max.ru invitation and follows it
// (bot_started with the token links the chat to the lead); the client presses the campaign's button and writes,
// an operator answers in the console and the client reads it on MAX, and the consent lands on the lead. A client
// who stops the bot is marked blocked. Every request the adapter made fits MAX's schema.
func TestTheWholeLoopOnMAX(t *testing.T) {
	t.Parallel()
	api := startMaxAPI(t, maxfake.Options{BotUsername: "bank_max_bot"})
	fake := api.fake
	data := newDataDir(t)
	srv := startServer(t, data, "MAX_BOT_TOKEN="+fake.Token(), "MAX_API_URL="+api.URL)
	ctx := context.Background()
	pool := attachDatabase(t, data)
	const password = "Operators-own-pass-1"
	users := auth.NewStore(pool)
	if _, err := users.Create(ctx, auth.NewUser{Login: "irina", DisplayName: "Irina", Role: auth.Operator,
		Password: password, Locale: "en"}); err != nil {
		t.Fatal(err)
	}
	admin, err := users.ByLogin(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if err := users.SetPassword(ctx, admin.ID, password, false); err != nil {
		t.Fatal(err)
	}
	linked := seedLead(t, pool, "max-1", "Ромашка", "+79031230001")
	invited := seedLead(t, pool, "max-2", "Лютик", "+79031230002")
	camp, err := campaigns.NewStore(pool).Create(ctx, campaigns.Campaign{Name: "Недозвон в MAX", LeadKind: "missed_call",
		QuietFrom: "00:00", QuietTo: "00:00",
		Template: campaigns.Template{Body: "<b>Здравствуйте</b>, {{.Company}}! Мы не дозвонились по вашей заявке.",
			Buttons: []campaigns.Button{{Text: "Поговорить со специалистом", Action: campaigns.ActionRoute}}}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the MAX poller", func() bool { return fake.Calls("GET /updates") > 0 })

	// Anna starts the bot and shares her own number: her chat is linked to her lead by phone.
	anna := fake.AddUser(maxfake.User{FirstName: "Анна", Phone: "+79031230001"})
	if _, err := fake.Start(anna.UserID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitSent(ctx, anna.ChatID, 1); err != nil { // the bot asks for the phone
		t.Fatal(err)
	}
	if _, err := fake.ShareContact(anna.UserID, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "Anna's chat linked to her lead", func() bool { return linkedLeads(pool, linked) == 1 })

	// The run writes to Anna on MAX and invites the other lead with a max.ru link.
	staff := loginClient(t, srv.URL, "admin", password)
	consoleRunCampaign(t, staff, srv.URL, camp.ID)
	link := consoleInvitationLink(t, staff, srv.URL, camp.ID, "+79031230002")
	via, bot, token, err := messenger.ParseInviteLink(link)
	if err != nil || via != messenger.MAX || bot != "bank_max_bot" || !strings.HasPrefix(link, "https://max.ru/bank_max_bot?start=") {
		t.Fatalf("the invitation link is %q (%v), want a max.ru link to the bank's MAX bot", link, err)
	}
	var campaignMsg maxfake.Message
	waitFor(t, 30*time.Second, "the campaign in Anna's MAX chat", func() bool {
		for _, m := range fake.Sent(anna.ChatID) {
			if m.FromBot() && strings.Contains(m.Body.Text, "Мы не дозвонились по вашей заявке") {
				campaignMsg = m
				return true
			}
		}
		return false
	})
	if want := "<b>Здравствуйте</b>, Ромашка! Мы не дозвонились по вашей заявке."; campaignMsg.Body.Text != want ||
		campaignMsg.Format != "html" {
		t.Errorf("the campaign reads %q as %q, want %q as html", campaignMsg.Body.Text, campaignMsg.Format, want)
	}
	kb := campaignMsg.Keyboard()
	if len(kb) != 1 || len(kb[0]) != 1 || kb[0][0].Text != "Поговорить со специалистом" || kb[0][0].Type != "callback" {
		t.Fatalf("the campaign's keyboard is %+v, want the route button", kb)
	}

	// The invited client opens the link: MAX hands the token over in bot_started, and the chat is linked.
	boris := fake.AddUser(maxfake.User{FirstName: "Борис", Phone: "+79031230002"})
	if _, err := fake.Start(boris.UserID, token); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the invited chat linked to its lead", func() bool { return linkedLeads(pool, invited) == 1 })

	// Anna presses the button and writes; an operator on line gets the dialog and answers in the console.
	operator := loginClient(t, srv.URL, "irina", password)
	consoleSimCall(t, operator, srv.URL, "POST", "/console/api/presence", map[string]string{"status": "online"}, nil)
	if _, err := fake.PressButton(anna.UserID, campaignMsg.Body.Mid, kb[0][0].Payload); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.SendText(anna.UserID, "Да, расскажите про счёт"); err != nil {
		t.Fatal(err)
	}
	var conv int64
	waitFor(t, 30*time.Second, "the dialog on the operator's console", func() bool {
		var st struct {
			Dialogs []struct {
				ID          int64  `json:"id"`
				LastMessage string `json:"last_message"`
			} `json:"dialogs"`
		}
		consoleSimCall(t, operator, srv.URL, "GET", "/console/api/state", nil, &st)
		for _, d := range st.Dialogs {
			if d.LastMessage == "Да, расскажите про счёт" {
				conv = d.ID
			}
		}
		return conv != 0
	})
	waitFor(t, 10*time.Second, "the button press answered", func() bool { return len(fake.Answers()) == 1 })
	path := "/console/api/dialogs/" + strconv.FormatInt(conv, 10)
	consoleSimCall(t, operator, srv.URL, "POST", path+"/reply", map[string]string{"text": "Откроем счёт завтра, Анна."}, nil)
	defer func() {
		if t.Failed() {
			for _, m := range fake.Sent(anna.ChatID) {
				t.Logf("Anna's chat: bot %v: %q", m.FromBot(), m.Body.Text)
			}
		}
	}()
	waitFor(t, 30*time.Second, "the operator's answer in Anna's MAX chat", func() bool {
		for _, m := range fake.Sent(anna.ChatID) {
			if m.FromBot() && m.Body.Text == "Откроем счёт завтра, Анна." {
				return true
			}
		}
		return false
	})
	consoleSimCall(t, operator, srv.URL, "POST", path+"/outcome", map[string]string{"kind": "consent", "product": "rko"}, nil)
	var status, product, channel string
	if err := pool.QueryRow(ctx, `SELECT l.status, o.product, cv.channel FROM leads l JOIN outcomes o ON o.lead_id = l.id
		JOIN conversations cv ON cv.id = $2 WHERE l.id = $1 AND o.kind = 'consent'`, linked, conv).
		Scan(&status, &product, &channel); err != nil || status != "consented" || product != "rko" || channel != "max" {
		t.Errorf("lead %q, consent for %q in a %q conversation (%v); want consented, rko, max", status, product, channel, err)
	}

	// Boris stops the bot: his chat is blocked, and no campaign writes to it.
	if _, err := fake.StopBot(boris.UserID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the stopped chat marked blocked", func() bool {
		var s string
		_ = pool.QueryRow(ctx, `SELECT status FROM contacts WHERE channel = 'max' AND chat_id = $1`, boris.ChatID).Scan(&s)
		return s == "blocked"
	})
	api.schemaClean(t)
	pool.Close()
	stopCleanly(t, srv, data)
}
