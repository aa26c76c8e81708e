package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dozvon/campaigns"
	"dozvon/messenger/max/maxfake"
)

// maxReferee stands between dozvon and the MAX fake and keeps the score of POST /messages, as referee does for
// Telegram's sendMessage: what reached each chat, from which run of the process and when, what was in flight,
// and when MAX refused (429, 503).
type maxReferee struct {
	fake *maxfake.Fake

	mu         sync.Mutex
	instance   int                  // the run of dozvon serve now sending: 1, then 2 after the restart
	deliveries map[int64][]delivery // by chat: every message the fake answered 200, in order
	arrivals   []time.Time          // every POST /messages as it reached the referee
	refusals   []time.Time          // when a 429 or 503 was answered
	inFlight   int
}

func newMaxReferee(fake *maxfake.Fake) *maxReferee {
	return &maxReferee{fake: fake, instance: 1, deliveries: map[int64][]delivery{}}
}

func (rf *maxReferee) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/messages" {
		rf.fake.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var msg struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(body, &msg)
	chat, _ := strconv.ParseInt(r.URL.Query().Get("chat_id"), 10, 64)
	rf.mu.Lock()
	rf.arrivals = append(rf.arrivals, time.Now())
	rf.inFlight++
	instance := rf.instance
	rf.mu.Unlock()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	rf.fake.ServeHTTP(rec, r)
	rf.mu.Lock()
	defer rf.mu.Unlock()
	rf.inFlight--
	switch rec.status {
	case http.StatusOK:
		rf.deliveries[chat] = append(rf.deliveries[chat], delivery{text: msg.Text, instance: instance, at: time.Now()})
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		rf.refusals = append(rf.refusals, time.Now())
	}
}

// delivered returns the deliveries to chat whose text starts with prefix.
func (rf *maxReferee) delivered(chat int64, prefix string) []delivery {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	var out []delivery
	for _, d := range rf.deliveries[chat] {
		if strings.HasPrefix(d.text, prefix) {
			out = append(out, d)
		}
	}
	return out
}

// since returns the deliveries whose text starts with prefix answered after t, in no particular order.
func (rf *maxReferee) since(prefix string, t time.Time) []delivery {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	var out []delivery
	for _, ds := range rf.deliveries {
		for _, d := range ds {
			if strings.HasPrefix(d.text, prefix) && d.at.After(t) {
				out = append(out, d)
			}
		}
	}
	return out
}

// unrecorded is how many sends the process's record may not hold now: in flight, or answered within window.
func (rf *maxReferee) unrecorded(window time.Duration) int {
	n := len(rf.since("", time.Now().Add(-window)))
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return n + rf.inFlight
}

// arrivedBetween counts the POST /messages that reached the fake in (from, to).
func (rf *maxReferee) arrivedBetween(from, to time.Time) int {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	n := 0
	for _, at := range rf.arrivals {
		if at.After(from) && at.Before(to) {
			n++
		}
	}
	return n
}

func (rf *maxReferee) refused() []time.Time {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return append([]time.Time(nil), rf.refusals...)
}

// seedMaxClient adds a company of region with a missed-call lead and a linked MAX dialog of bot, and the dialog
// at the fake; it returns the dialog's chat id.
func (h *harness) seedMaxClient(fake *maxfake.Fake, bot int64, region string, i int) int64 {
	h.t.Helper()
	var chat, user int64
	err := h.pool.QueryRow(h.ctx, `
		WITH c AS (INSERT INTO clients (external_id, company_name, contact_name, region, timezone)
		           VALUES ($1, 'ООО Клиент ' || $1, 'Клиент', $2, 'Europe/Moscow') RETURNING id),
		     l AS (INSERT INTO leads (client_id, kind, eligible_at)
		           SELECT id, 'missed_call', now() - interval '1 day' FROM c RETURNING id, client_id),
		     ct AS (INSERT INTO contacts (channel, bot_id, chat_id, user_id, first_name, status, linked_via)
		            SELECT 'max', $3, 800000000 + id, 700000000 + id, 'Клиент', 'active', 'deep_link' FROM c
		            RETURNING id, chat_id, user_id)
		INSERT INTO contact_leads (contact_id, lead_id, via) SELECT ct.id, l.id, 'deep_link' FROM ct, l
		RETURNING (SELECT chat_id FROM ct), (SELECT user_id FROM ct)`, fmt.Sprintf("max-%s-%d", region, i), region, bot).
		Scan(&chat, &user)
	if err != nil {
		h.t.Fatalf("seed a MAX client of %s: %v", region, err)
	}
	if _, err := fake.RestoreChat(maxfake.User{UserID: user, ChatID: chat, FirstName: "Клиент"}, false); err != nil {
		h.t.Fatal(err)
	}
	return chat
}

// botMessages counts the bot's messages in a dialog of the MAX fake that start with prefix.
func maxBotMessages(fake *maxfake.Fake, chat int64, prefix string) int {
	n := 0
	for _, m := range fake.Sent(chat) {
		if m.FromBot() && strings.HasPrefix(m.Body.Text, prefix) {
			n++
		}
	}
	return n
}

// TestMAXUnderFaultsBesideTelegram is one dozvon serve with both messengers, on a PostgreSQL the test owns. A
// campaign writes to clients on MAX and on Telegram; MAX answers 429 and then 503 for a while: the MAX bot pauses
// (no send reaches MAX in its wait) and resumes, Telegram's bot goes on sending all the while, and every client
// gets the message once. Then serve is killed with SIGKILL while MAX messages are in flight and started again:
// no MAX client loses the message, and the only duplicates are sends whose answer the kill lost, no more than
// were in flight or unrecorded then.
func TestMAXUnderFaultsBesideTelegram(t *testing.T) {
	if testing.Short() {
		t.Skip("starts dozvon serve twice and runs two broadcasts")
	}
	h := startHarness(t, 0)
	mx := newMaxReferee(maxfake.New(maxfake.Options{RequestLogSize: -1}))
	ln := newLocalListener(t)
	go func() { _ = serveOn(ln, mx) }()
	t.Cleanup(func() { _ = ln.Close(); mx.fake.Close() })
	env := []string{"DATABASE_URL=" + h.cluster.URL(), "DOZVON_LOG_LEVEL=warn",
		"TELEGRAM_BOT_TOKEN=" + h.fake.Token(), "TELEGRAM_API_URL=" + h.apiURL + "/i1",
		"MAX_BOT_TOKEN=" + mx.fake.Token(), "MAX_API_URL=http://" + ln.Addr().String()}
	srv := startServer(t, newDataDir(t), env...)
	var bot int64
	waitFor(t, 30*time.Second, "the MAX bot registered", func() bool {
		return h.pool.QueryRow(h.ctx, `SELECT id FROM bots WHERE channel = 'max'`).Scan(&bot) == nil
	})
	store := campaigns.NewStore(h.pool)
	run := func(prefix, region string, audience int) int64 {
		t.Helper()
		camp, err := store.Create(h.ctx, campaigns.Campaign{Name: "MAX " + prefix, LeadKind: campaigns.MissedCall,
			Audience: campaigns.Audience{Regions: []string{region}}, QuietFrom: "00:00", QuietTo: "00:00",
			Template: campaigns.Template{Body: prefix + " Здравствуйте, {{.Company}}!"}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := store.RunNow(h.ctx, camp.ID)
		if err != nil || r.Enqueued != audience {
			t.Fatalf("run %s: %+v, %v; want %d queued", prefix, r, err, audience)
		}
		return camp.ID
	}
	settled := func(what string, camp int64) {
		h.waitFor(what, 3*time.Minute, func() bool {
			p, err := store.ProgressOf(h.ctx, camp)
			return err == nil && p.Queued == 0
		})
	}

	// 1. MAX refuses for a while; Telegram does not.
	const pausePrefix, tgClients, maxClients = "[MX1]", 240, 120
	var tgChats, maxChats []int64
	for i := range tgClients {
		tgChats = append(tgChats, h.seedClient("Регион [MX1]", i))
	}
	for i := range maxClients {
		maxChats = append(maxChats, h.seedMaxClient(mx.fake, bot, "Регион [MX1]", i))
	}
	camp := run(pausePrefix, "Регион [MX1]", tgClients+maxClients)
	h.waitFor("15 delivered on MAX", time.Minute, func() bool { return len(mx.since(pausePrefix, time.Time{})) >= 15 })
	mx.fake.FailNext("POST /messages", 2, maxfake.Fault{Status: http.StatusTooManyRequests})
	mx.fake.FailNext("POST /messages", 2, maxfake.Fault{Status: http.StatusServiceUnavailable})
	h.waitFor("MAX's four refusals", time.Minute, func() bool { return len(mx.refused()) == 4 })
	refusals := mx.refused()
	first, last := refusals[0], refusals[len(refusals)-1]
	// Sends in flight at the last refusal are answered right after it; the bot resumes when its wait is over.
	var resumed time.Time
	h.waitFor("MAX resumed", time.Minute, func() bool {
		for _, d := range mx.since(pausePrefix, last.Add(time.Second)) {
			if resumed.IsZero() || d.at.Before(resumed) {
				resumed = d.at
			}
		}
		return !resumed.IsZero()
	})
	settled("the broadcast settled", camp)
	// A 503 without Retry-After pauses the bot for max.DefaultUnavailableWait (5 s); a send that was on its way
	// when it was answered may still arrive, so the wait is checked from a second after the last refusal.
	inWait := mx.arrivedBetween(last.Add(time.Second), last.Add(4*time.Second))
	tgDuringPause := 0
	for _, chat := range tgChats {
		for _, d := range h.referee.delivered(chat, pausePrefix) {
			if d.at.After(first) && d.at.Before(resumed) {
				tgDuringPause++
			}
		}
	}
	t.Logf("MAX refused from %s to %s and resumed at %s; %d sends reached MAX in its wait; Telegram delivered %d meanwhile",
		first.Format("15:04:05.000"), last.Format("15:04:05.000"), resumed.Format("15:04:05.000"), inWait, tgDuringPause)
	if inWait != 0 {
		t.Errorf("%d MAX sends reached the fake while the bot waited after a 503", inWait)
	}
	if resumed.Sub(last) < 4*time.Second {
		t.Errorf("MAX resumed %s after the last 503, want its wait of 5 s", resumed.Sub(last))
	}
	if tgDuringPause == 0 {
		t.Error("Telegram delivered nothing while the MAX bot was paused: one bot's pause held up the other")
	}
	for _, chat := range tgChats {
		if n := len(h.fake.Sent(chat)); n != 1 {
			t.Errorf("Telegram chat %d holds %d messages, want the campaign's one", chat, n)
		}
	}
	for _, chat := range maxChats {
		if n := maxBotMessages(mx.fake, chat, pausePrefix); n != 1 {
			t.Errorf("MAX chat %d got the campaign %d times, want once", chat, n)
		}
	}
	if s := mx.fake.RateStats(); s.Rejected != 0 {
		t.Errorf("MAX's window refused %d sends (peak %d a second), want none", s.Rejected, s.Peak)
	}

	// 2. serve is killed mid-queue with MAX sends in flight, and started again.
	const restartPrefix, restartClients = "[MX2]", 150
	maxChats = maxChats[:0]
	for i := range restartClients {
		maxChats = append(maxChats, h.seedMaxClient(mx.fake, bot, "Регион [MX2]", i))
	}
	mx.fake.SetLatency(100 * time.Millisecond) // about MAX's own, so that sends are in flight at the kill
	camp = run(restartPrefix, "Регион [MX2]", restartClients)
	h.waitFor("30 delivered on MAX", time.Minute, func() bool { return len(mx.since(restartPrefix, time.Time{})) >= 30 })
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		mx.mu.Lock()
		n := mx.inFlight
		mx.mu.Unlock()
		if n >= 2 {
			break
		}
	}
	bound := mx.unrecorded(unrecordedWindow)
	killedAt := time.Now()
	srv.stopped = true
	_ = srv.cmd.Process.Kill()
	<-srv.done
	mx.mu.Lock()
	mx.instance = 2
	mx.mu.Unlock()
	t.Logf("killed dozvon serve with %d MAX sends in flight or not yet recorded", bound)
	srv = startServer(t, newDataDir(t), env...)
	settled("the broadcast settled after the restart", camp)
	row := faultRow{fault: "kill -9 of serve mid-queue on MAX", audience: restartClients, bound: bound}
	h.countDeliveries(&row, camp, restartPrefix, mx.delivered, func(d delivery) bool {
		return d.instance == 1 && !d.at.Before(killedAt.Add(-unrecordedWindow)) && !d.at.After(killedAt.Add(time.Second))
	})
	var table strings.Builder
	writeFaultTable(&table, []faultRow{row})
	t.Logf("MAX after a restart mid-queue:\n%s", table.String())
	if row.lost != 0 || row.sent != restartClients {
		t.Errorf("%s: %d sent, %d lost; want all %d sent, none lost", checkLost, row.sent, row.lost, restartClients)
	}
	if row.duplicates != row.excused || row.excused > row.bound {
		t.Errorf("%s: %d duplicates, %d of them lost answers, bound %d", checkDuplicates, row.duplicates, row.excused, row.bound)
	}
	for _, chat := range maxChats {
		if n := maxBotMessages(mx.fake, chat, restartPrefix); n == 0 {
			t.Errorf("MAX chat %d never got the message", chat)
		}
	}
	srv.Stop()
}
