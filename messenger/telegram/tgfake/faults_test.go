package tgfake

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
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
	status, resp := send(users[30])
	if status != 429 || resp.ErrorCode != 429 || resp.Description != "Too Many Requests: retry after 1" || resp.Parameters == nil || resp.Parameters.RetryAfter != 1 {
		t.Fatalf("31st message: %d %+v", status, resp)
	}
	if got := f.FloodRejections(); got != 1 {
		t.Errorf("FloodRejections = %d", got)
	}
	// Paid broadcast is not bound by the 30/s limit.
	if status, resp := send(users[31], "allow_paid_broadcast", true); status != 200 {
		t.Errorf("paid broadcast: %d %+v", status, resp)
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

func TestFloodBurstAndRetryAfter(t *testing.T) {
	clock := NewManualClock(t0)
	f, base := newServed(t, Options{Clock: clock, Flood: FloodLimits{ChatPerSecond: 0.2, ChatBurst: 3}})
	u := startedUser(t, f, User{FirstName: "Anna"})
	for i := range 3 {
		if status, _, raw := callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": u.ID, "text": "x"}); status != 200 {
			t.Fatalf("burst message %d: %s", i, raw)
		}
	}
	_, resp, _ := callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": u.ID, "text": "x"})
	if resp.Parameters == nil || resp.Parameters.RetryAfter != 5 {
		t.Errorf("after burst at 0.2/s: %+v", resp)
	}
}

// TestStrictFloodWindowHoldsEveryRollingSecond: in strict mode the bucket's burst is gone. 30 sends spread over
// 0.9 s fill the second; sends a token bucket would admit (it refills as they go) are refused until the first
// of them is a second old, and a 429 is a flood wait for the whole bot: every call before it ends is refused and
// counted, whichever chat it is for.
func TestStrictFloodWindowHoldsEveryRollingSecond(t *testing.T) {
	clock := NewManualClock(t0)
	f, base := newServed(t, Options{Clock: clock, Flood: FloodLimits{Strict: true}})
	var users []User
	for i := range 62 {
		users = append(users, startedUser(t, f, User{FirstName: fmt.Sprint("U", i)}))
	}
	send := func(u User) (int, apiResponse) {
		status, resp, _ := callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": u.ID, "text": "broadcast"})
		return status, resp
	}
	for i := range 30 {
		if status, resp := send(users[i]); status != 200 {
			t.Fatalf("message %d at %s: %d %+v", i+1, clock.Now().Sub(t0), status, resp)
		}
		clock.Advance(30 * time.Millisecond) // 30 sends in 0.9 s: a token bucket would have refilled 27 by now
	}
	status, resp := send(users[30])
	if status != 429 || resp.Parameters == nil || resp.Parameters.RetryAfter != 1 {
		t.Fatalf("31st message within the second: %d %+v", status, resp)
	}
	// The wait is the bot's: another chat, half a second later, is refused too.
	clock.Advance(500 * time.Millisecond)
	if status, _ := send(users[31]); status != 429 {
		t.Errorf("another chat during the flood wait: %d, want 429", status)
	}
	clock.Advance(600 * time.Millisecond) // the wait (1 s from the 429) is over, the first sends are out of the window
	if status, resp := send(users[31]); status != 200 {
		t.Errorf("after the wait: %d %+v", status, resp)
	}

	// One message per chat in any rolling second.
	clock.Advance(2 * time.Second)
	if status, _ := send(users[40]); status != 200 {
		t.Fatal("first message to a chat refused")
	}
	clock.Advance(900 * time.Millisecond)
	if status, _ := send(users[40]); status != 429 {
		t.Errorf("second message to one chat 0.9 s later: %d, want 429", status)
	}
	clock.Advance(time.Second)
	if status, resp := send(users[40]); status != 200 {
		t.Errorf("a second later: %d %+v", status, resp)
	}

	// An injected 429 is a flood wait of the whole bot for its retry_after.
	f.FailNext("sendMessage", 1, Fault{Code: 429, RetryAfter: 5})
	if status, _ := send(users[50]); status != 429 {
		t.Fatalf("injected 429: %d", status)
	}
	clock.Advance(4 * time.Second)
	if status, resp := send(users[51]); status != 429 || resp.Parameters.RetryAfter != 1 {
		t.Errorf("4 s into a 5 s wait: %d %+v, want 429 retry after 1", status, resp)
	}
	clock.Advance(time.Second)
	if status, resp := send(users[51]); status != 200 {
		t.Errorf("after the injected wait: %d %+v", status, resp)
	}

	got := f.FloodStats()
	want := FloodStats{OverWindow: 2, OverChatWindow: 1, DuringWait: 2, Waits: 3,
		OverWindowByChat: map[int64]int{users[30].ID: 1, users[40].ID: 1},
		DuringWaitByChat: map[int64]int{users[31].ID: 1, users[51].ID: 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FloodStats = %+v\nwant         %+v", got, want)
	}
}
