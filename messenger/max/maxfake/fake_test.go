package maxfake

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

func serve(t *testing.T, f *Fake) string {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(func() { f.Close(); srv.CloseClientConnections(); srv.Close() })
	return srv.URL
}

// call makes one API request with the bot's token and decodes the answer into out (when not nil).
func call(t *testing.T, f *Fake, base, method, path, body string, out any) int {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", f.Token())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %s: %v", method, path, b, err)
		}
	}
	return res.StatusCode
}

// MAX allows about 30 requests a second per bot: no rolling second holds more, whatever the method, and each
// request beyond gets 429 too.many.requests without a Retry-After.
func TestTheRateLimitIsAStrictSlidingSecond(t *testing.T) {
	clock := NewManualClock(time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
	f := New(Options{Clock: clock})
	base := serve(t, f)
	for i := range 30 {
		path := "/me"
		if i%2 == 1 {
			path = "/subscriptions"
		}
		if code := call(t, f, base, "GET", path, "", nil); code != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, code)
		}
		clock.Advance(10 * time.Millisecond) // 30 requests in 300ms
	}
	var e struct{ Code, Message string }
	if code := call(t, f, base, "GET", "/me", "", &e); code != http.StatusTooManyRequests || e.Code != "too.many.requests" {
		t.Fatalf("the 31st request within a second: %d %+v", code, e)
	}
	clock.Advance(700 * time.Millisecond) // the first request is now exactly a second old: its slot is free
	if code := call(t, f, base, "GET", "/me", "", nil); code != http.StatusOK {
		t.Fatalf("a request a second after the first: %d", code)
	}
	if code := call(t, f, base, "GET", "/me", "", nil); code != http.StatusTooManyRequests {
		t.Fatalf("a second one in the same instant: %d", code)
	}
	want := RateStats{Admitted: 31, Rejected: 2, RejectedByRoute: map[string]int{"GET /me": 2}, Peak: 30}
	if got := f.RateStats(); !reflect.DeepEqual(got, want) {
		t.Fatalf("stats %+v, want %+v", got, want)
	}
}

// GET /updates hands updates from the marker on and answers the marker after them; a marker passed acknowledges
// what is before it, and updates of types not asked for are passed over.
func TestLongPollingFollowsTheMarker(t *testing.T) {
	f := New(Options{})
	base := serve(t, f)
	u := f.AddUser(User{FirstName: "Anna"})
	if u.ChatID == u.UserID {
		t.Fatalf("the dialog's chat_id is the user's id %d: MAX numbers them apart", u.ChatID)
	}
	_, _ = f.Start(u.UserID, "inv")
	_, _ = f.SendText(u.UserID, "раз")
	_, _ = f.SendText(u.UserID, "два")
	type batch struct {
		Updates []Update `json:"updates"`
		Marker  int64    `json:"marker"`
	}
	var b batch
	call(t, f, base, "GET", "/updates?marker=1&limit=2&timeout=0", "", &b)
	if len(b.Updates) != 2 || b.Updates[0].UpdateType != "bot_started" || *b.Updates[0].Payload != "inv" ||
		b.Updates[1].Message.Body.Text != "раз" || b.Marker != 3 {
		t.Fatalf("first batch %+v", b)
	}
	call(t, f, base, "GET", "/updates?marker=1&timeout=0", "", &b) // not acknowledged yet: the same again
	if len(b.Updates) != 3 || b.Marker != 4 {
		t.Fatalf("from marker 1 again: %d updates, marker %d", len(b.Updates), b.Marker)
	}
	_, _ = f.StopBot(u.UserID)
	call(t, f, base, "GET", "/updates?marker=3&timeout=0&types=bot_stopped", "", &b)
	if len(b.Updates) != 1 || b.Updates[0].UpdateType != "bot_stopped" || b.Marker != 5 || len(f.PendingUpdates()) != 2 {
		t.Fatalf("bot_stopped only: %+v, pending %d", b, len(f.PendingUpdates()))
	}
	call(t, f, base, "GET", "/updates?marker=5&timeout=0", "", &b)
	if len(b.Updates) != 0 || b.Marker != 5 || len(f.PendingUpdates()) != 0 {
		t.Fatalf("after everything: %+v, pending %d", b, len(f.PendingUpdates()))
	}
}

// A subscription gets every update by POST with the secret, one at a time, again until it answers 200.
func TestAWebhookIsDeliveredWithTheSecretUntilItAnswers200(t *testing.T) {
	f := New(Options{WebhookRetryDelay: time.Millisecond})
	base := serve(t, f)
	got := make(chan string, 10)
	answers := []int{http.StatusInternalServerError, http.StatusNoContent, http.StatusOK, http.StatusOK}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		status := answers[0]
		answers = answers[1:]
		var u struct {
			UpdateType string `json:"update_type"`
		}
		_ = json.Unmarshal(b, &u)
		got <- r.Header.Get("X-Max-Bot-Api-Secret") + " " + u.UpdateType
		w.WriteHeader(status)
	}))
	defer hook.Close()
	var ok struct{ Success bool }
	if call(t, f, base, "POST", "/subscriptions", `{"url":"`+hook.URL+`","secret":"abcde"}`, &ok); !ok.Success {
		t.Fatal("subscribe failed")
	}
	u := f.AddUser(User{FirstName: "Anna"})
	_, _ = f.Start(u.UserID, "")
	_, _ = f.SendText(u.UserID, "hi")
	var seen []string
	for range 4 {
		select {
		case s := <-got:
			seen = append(seen, s)
		case <-time.After(20 * time.Second):
			t.Fatalf("deliveries so far: %q", seen)
		}
	}
	want := []string{"abcde bot_started", "abcde bot_started", "abcde bot_started", "abcde message_created"}
	if !reflect.DeepEqual(seen, want) {
		t.Fatalf("deliveries %q, want %q (a 204 is no 200 to MAX)", seen, want)
	}
	var e struct{ Code string }
	if code := call(t, f, base, "POST", "/subscriptions", `{"url":"https://x/h","secret":"a b"}`, &e); code != 400 {
		t.Errorf("a secret with a space: %d %+v", code, e)
	}
}

// The HTTP controls play a user as the Go ones do.
func TestTheControlAPIPlaysAUser(t *testing.T) {
	f := New(Options{})
	base := serve(t, f)
	post := func(path, body string, out any) int {
		res, err := http.Post(base+path, "application/json", bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if out != nil {
			_ = json.NewDecoder(res.Body).Decode(out)
		}
		return res.StatusCode
	}
	var u userJSON
	post("/_fake/users", `{"first_name":"Анна","phone":"+79001234567"}`, &u)
	id := func(s string) string { return strings.Replace(s, "{id}", jsonNumber(u.UserID), 1) }
	var upd Update
	if code := post(id("/_fake/users/{id}/start"), `{"payload":"inv_9"}`, &upd); code != 200 || *upd.Payload != "inv_9" || upd.ChatID != u.ChatID {
		t.Fatalf("start: %d %+v", code, upd)
	}
	if code := post(id("/_fake/users/{id}/text"), `{"text":"Здравствуйте"}`, &upd); code != 200 || upd.Message.Body.Text != "Здравствуйте" {
		t.Fatalf("text: %d %+v", code, upd)
	}
	var mid struct {
		Message Message `json:"message"`
	}
	call(t, f, base, "POST", "/messages?chat_id="+jsonNumber(u.ChatID),
		`{"text":"&lt;b&gt;?","format":"html","attachments":[{"type":"inline_keyboard","payload":{"buttons":[[{"type":"callback","text":"Да","payload":"y"}]]}}],"link":null}`, &mid)
	if code := post(id("/_fake/users/{id}/press"), `{"mid":"`+mid.Message.Body.Mid+`","payload":"y"}`, &upd); code != 200 || upd.Callback.Payload != "y" {
		t.Fatalf("press: %d %+v", code, upd)
	}
	if code := post(id("/_fake/users/{id}/press"), `{"mid":"`+mid.Message.Body.Mid+`","payload":"n"}`, nil); code != 400 {
		t.Fatalf("pressing a button that is not there: %d", code)
	}
	if code := post(id("/_fake/users/{id}/contact"), `{}`, &upd); code != 200 || !strings.Contains(string(upd.Message.Body.Attachments[0].Payload), "+79001234567") {
		t.Fatalf("contact: %d %+v", code, upd)
	}
	if code := post(id("/_fake/users/{id}/stop"), ``, &upd); code != 200 || upd.UpdateType != "bot_stopped" {
		t.Fatalf("stop: %d %+v", code, upd)
	}
	var e struct{ Code, Message string }
	if code := call(t, f, base, "POST", "/messages?user_id="+jsonNumber(u.UserID), `{"text":"x","attachments":null,"link":null}`, &e); code != 403 || e.Code != "chat.denied" {
		t.Fatalf("writing to a user who stopped the bot: %d %+v", code, e)
	}
	res, err := http.Get(base + "/_fake/chats/" + jsonNumber(u.ChatID) + "/messages")
	if err != nil {
		t.Fatal(err)
	}
	var history []chatMessage
	_ = json.NewDecoder(res.Body).Decode(&history)
	res.Body.Close()
	if len(history) != 3 || history[0].Body.Text != "Здравствуйте" || history[0].Format != "" || !history[1].FromBot() ||
		history[1].Body.Text != "&lt;b&gt;?" || history[1].Format != "html" || history[2].Body.Attachments[0].Type != "contact" {
		t.Fatalf("history %+v", history) // the bot's message with the format it was sent in: MAX shows "<b>?"
	}
	if code := post("/_fake/faults", `{"route":"POST /messages","status":503}`, nil); code != 200 {
		t.Fatal(code)
	}
	_, _ = f.Start(u.UserID, "")
	if code := call(t, f, base, "POST", "/messages?chat_id="+jsonNumber(u.ChatID), `{"text":"x","attachments":null,"link":null}`, &e); code != 503 || e.Code != "service.unavailable" {
		t.Fatalf("an injected 503: %d %+v", code, e)
	}
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }
