package tgfake

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

func TestFailNext(t *testing.T) {
	f, base := newServed(t, Options{Flood: FloodLimits{Disabled: true}})
	u := startedUser(t, f, User{FirstName: "Anna"})
	b := newBot(t, f, base)
	ctx := ctxTimeout(t)
	send := map[string]any{"chat_id": u.ID, "text": "hi"}

	f.FailNext("sendmessage", 1, Fault{Code: 429, RetryAfter: 7})
	status, _, raw := callJSON(t, base, f.Token(), "sendMessage", send)
	want := `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`
	if status != 429 || string(raw) != want {
		t.Errorf("429 fault = %d %s\nwant %s", status, raw, want)
	}

	f.FailNext("sendMessage", 1, Fault{Code: 429, RetryAfter: 3})
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "hi"})
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 3 {
		t.Errorf("client error = %v", err)
	}

	// Faults queue up, then calls succeed again.
	f.FailNext("sendMessage", 2, Fault{Code: 500})
	f.FailNext("sendMessage", 1, Fault{Code: 502})
	for i, want := range []string{
		`{"ok":false,"error_code":500,"description":"Internal Server Error"}`,
		`{"ok":false,"error_code":500,"description":"Internal Server Error"}`,
		`{"ok":false,"error_code":502,"description":"Bad Gateway"}`,
	} {
		if _, _, raw := callJSON(t, base, f.Token(), "sendMessage", send); string(raw) != want {
			t.Errorf("call %d = %s, want %s", i, raw, want)
		}
	}
	if len(f.Sent(u.ID)) != 1 {
		t.Errorf("failed calls must not deliver: %+v", f.Sent(u.ID))
	}
	if status, _, raw := callJSON(t, base, f.Token(), "sendMessage", send); status != 200 {
		t.Errorf("after faults = %d %s", status, raw)
	}

	// AfterApply: the message is delivered, but the client sees an error.
	f.FailNext("sendMessage", 1, Fault{Code: 500, AfterApply: true})
	if status, _, _ := callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": u.ID, "text": "dup?"}); status != 500 {
		t.Errorf("after-apply fault status = %d", status)
	}
	if sent := f.Sent(u.ID); sent[len(sent)-1].Text != "dup?" {
		t.Errorf("after-apply fault did not deliver")
	}

	// Disconnect: no response at all.
	f.FailNext("getMe", 1, Fault{Disconnect: true})
	if _, err := http.Post(base+"/bot"+f.Token()+"/getMe", "", nil); err == nil {
		t.Errorf("disconnect fault: request succeeded")
	}

	wantCalls := 1 + 1 + 3 + 1 + 1
	if got := f.Calls("sendMessage"); got != wantCalls {
		t.Errorf("Calls = %d, want %d", got, wantCalls)
	}
	var statuses []int
	for _, r := range f.Requests() {
		if r.Method == "sendMessage" {
			statuses = append(statuses, r.Status)
		}
	}
	if fmt.Sprint(statuses) != "[429 429 500 500 502 200 500]" {
		t.Errorf("logged statuses = %v", statuses)
	}
}

func TestLatency(t *testing.T) {
	f, base := newServed(t, Options{})
	f.SetLatency(50 * time.Millisecond)
	start := time.Now()
	callJSON(t, base, f.Token(), "getMe", nil)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("request took %v with 50ms latency", d)
	}
}

func TestFloodControl(t *testing.T) {
	clock := NewManualClock(t0)
	f, base := newServed(t, Options{Clock: clock}) // default limits: 30/s global, 1/s per chat
	var users []User
	for i := range 32 {
		users = append(users, startedUser(t, f, User{FirstName: fmt.Sprint("U", i)}))
	}
	send := func(u User, extra ...any) (int, apiResponse) {
		p := map[string]any{"chat_id": u.ID, "text": "broadcast"}
		for i := 0; i < len(extra); i += 2 {
			p[extra[i].(string)] = extra[i+1]
		}
		status, resp, _ := callJSON(t, base, f.Token(), "sendMessage", p)
		return status, resp
	}

	for i := range 30 {
		if status, resp := send(users[i]); status != 200 {
			t.Fatalf("message %d: %d %+v", i+1, status, resp)
		}
	}
	// Paid broadcast is not bound by the 30/s limit.
	if status, resp := send(users[31], "allow_paid_broadcast", true); status != 200 {
		t.Errorf("paid broadcast: %d %+v", status, resp)
	}
	status, resp := send(users[30])
	if status != 429 || resp.ErrorCode != 429 || resp.Description != "Too Many Requests: retry after 1" || resp.Parameters == nil || resp.Parameters.RetryAfter != 1 {
		t.Fatalf("31st message: %d %+v", status, resp)
	}
	if got := f.FloodRejections(); got != 1 {
		t.Errorf("FloodRejections = %d", got)
	}

	clock.Advance(time.Second)
	if status, resp := send(users[30]); status != 200 {
		t.Errorf("31st message a second later: %d %+v", status, resp)
	}

	// Per chat: one message per second.
	if status, _ := send(users[0]); status != 200 {
		t.Fatalf("first message to chat in new second: %d", status)
	}
	status, resp = send(users[0])
	if status != 429 || resp.Parameters.RetryAfter != 1 {
		t.Errorf("second message to one chat: %d %+v", status, resp)
	}
	clock.Advance(time.Second)
	if status, _ := send(users[0]); status != 200 {
		t.Errorf("after a second: %d", status)
	}
	if got := f.FloodRejections(); got != 2 {
		t.Errorf("FloodRejections = %d", got)
	}
}

// Three messages at 0.2/s make a window of 15 s: the fourth may go when the first has left it.
func TestFloodBurstAndRetryAfter(t *testing.T) {
	clock := NewManualClock(t0)
	f, base := newServed(t, Options{Clock: clock, Flood: FloodLimits{ChatPerSecond: 0.2, ChatBurst: 3}})
	u := startedUser(t, f, User{FirstName: "Anna"})
	for i := range 3 {
		if status, _, raw := callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": u.ID, "text": "x"}); status != 200 {
			t.Fatalf("burst message %d: %s", i, raw)
		}
		clock.Advance(time.Second)
	}
	_, resp, _ := callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": u.ID, "text": "x"})
	if resp.Parameters == nil || resp.Parameters.RetryAfter != 12 {
		t.Errorf("after burst at 0.2/s: %+v", resp)
	}
}

// The limit is a strict sliding window, as Telegram's: a token bucket would take a 31st message 0.9 s after a
// burst of 30 (it has refilled 27 tokens), Telegram refuses it, since the second up to then holds 30 already.
// A refusal begins a flood wait: every message before retry_after ends is refused too, and counted.
func TestFloodControlIsAStrictSlidingWindowAndAFloodWaitHoldsEveryMessage(t *testing.T) {
	clock := NewManualClock(t0)
	f, base := newServed(t, Options{Clock: clock})
	var users []User
	for i := range 31 {
		users = append(users, startedUser(t, f, User{FirstName: fmt.Sprint("U", i)}))
	}
	send := func(u User) int {
		status, _, _ := callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": u.ID, "text": "x"})
		return status
	}
	for i := range 30 {
		if status := send(users[i]); status != 200 {
			t.Fatalf("message %d: %d", i+1, status)
		}
		clock.Advance(30 * time.Millisecond) // 30 messages over 0.9 s
	}
	if status := send(users[30]); status != 429 {
		t.Fatalf("31st message 0.9 s after the first = %d, want 429", status)
	}
	clock.Advance(500 * time.Millisecond) // the first message left the window, but the flood wait lasts 1 s
	if status := send(users[30]); status != 429 {
		t.Fatalf("a message during the flood wait = %d, want 429", status)
	}
	clock.Advance(500 * time.Millisecond)
	if status := send(users[30]); status != 200 {
		t.Fatalf("a message after the flood wait = %d, want 200", status)
	}
	if rejected, during := f.FloodRejections(), f.FloodWaitSends(); rejected != 1 || during != 1 {
		t.Errorf("over a window %d, during the flood wait %d; want 1 and 1", rejected, during)
	}

	// An injected 429 begins a flood wait too.
	f.FailNext("sendMessage", 1, Fault{Code: 429, RetryAfter: 2})
	if status := send(users[0]); status != 429 {
		t.Fatalf("injected fault = %d", status)
	}
	clock.Advance(1999 * time.Millisecond)
	if status := send(users[1]); status != 429 {
		t.Fatalf("a message 1.999 s into a flood wait of 2 s = %d, want 429", status)
	}
	clock.Advance(time.Millisecond)
	if status := send(users[1]); status != 200 {
		t.Fatalf("a message when the flood wait ends = %d, want 200", status)
	}
	if during := f.FloodWaitSends(); during != 2 {
		t.Errorf("messages during flood waits = %d, want 2", during)
	}
}
