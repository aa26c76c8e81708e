package tgfake

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// control calls a /_fake/ endpoint and decodes the JSON answer into T.
func control[T any](t *testing.T, method, u string, body any) (int, T) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, u, rd)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s %s: %s", method, u, raw)
	}
	return resp.StatusCode, v
}

func TestControlAPI(t *testing.T) {
	f, base := newServed(t, Options{Clock: NewManualClock(t0), Flood: FloodLimits{Disabled: true}})

	status, user := control[userJSON](t, "POST", base+"/_fake/users", map[string]any{"first_name": "Anna", "phone": "+79990001122"})
	if status != 200 || user.ID != 100000001 || user.FirstName != "Anna" || user.Phone != "+79990001122" {
		t.Fatalf("add user = %d %+v", status, user)
	}
	id := "100000001"

	// Subscribe like the simulator page does.
	req, _ := http.NewRequest("GET", base+"/_fake/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events Content-Type = %q", ct)
	}
	events := bufio.NewReader(resp.Body)

	status, upd := control[Update](t, "POST", base+"/_fake/users/"+id+"/start", map[string]any{"payload": "web"})
	if status != 200 || upd.UpdateID != 1 || upd.Message.Text != "/start web" {
		t.Fatalf("start = %d %+v", status, upd)
	}
	line, err := events.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(line, `data: {"kind":"message","chat_id":100000001,"message":{"message_id":1,`) || !strings.Contains(line, `"text":"/start web"`) {
		t.Errorf("event line = %s", line)
	}

	callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": 100000001, "text": "Share?",
		"reply_markup": map[string]any{"keyboard": [][]map[string]any{{{"text": "Phone", "request_contact": true}}}}})
	status, msgs := control[[]messageJSON](t, "GET", base+"/_fake/chats/"+id+"/wait?n=1&timeout_ms=2000", nil)
	if status != 200 || len(msgs) != 2 {
		t.Fatalf("wait = %d %+v", status, msgs)
	}
	if msgs[1].Text != "Share?" || mustJSON(t, msgs[1].ReplyKeyboard) != `{"keyboard":[[{"text":"Phone","request_contact":true}]]}` {
		t.Errorf("bot message as JSON = %+v", msgs[1])
	}

	status, upd = control[Update](t, "POST", base+"/_fake/users/"+id+"/contact", map[string]any{})
	if status != 200 || upd.Message.Contact.PhoneNumber != "+79990001122" || upd.Message.Contact.UserID != 100000001 {
		t.Errorf("contact = %d %+v", status, upd)
	}
	status, errBody := control[map[string]string](t, "POST", base+"/_fake/users/"+id+"/press", map[string]any{"message_id": 2, "data": "x"})
	if status != 400 || errBody["error"] != "the message has no such button" {
		t.Errorf("bad press = %d %v", status, errBody)
	}
	status, errBody = control[map[string]string](t, "POST", base+"/_fake/users/999/text", map[string]any{"text": "hi"})
	if status != 404 || errBody["error"] != "unknown user" {
		t.Errorf("unknown user = %d %v", status, errBody)
	}

	control[bool](t, "POST", base+"/_fake/faults", map[string]any{"method": "getMe", "code": 502})
	if status, _, _ := callJSON(t, base, f.Token(), "getMe", nil); status != 502 {
		t.Errorf("fault via control API: getMe = %d", status)
	}
	status, upd = control[Update](t, "POST", base+"/_fake/users/"+id+"/block", nil)
	if status != 200 || upd.MyChatMember == nil || upd.MyChatMember.NewChatMember.Status != "kicked" {
		t.Errorf("block = %d %+v", status, upd)
	}

	_, stats := control[statsJSON](t, "GET", base+"/_fake/stats", nil)
	if stats.Calls["sendMessage"] != 1 || stats.Calls["getMe"] != 1 || stats.PendingUpdates != 3 || stats.Users != 1 {
		t.Errorf("stats = %+v", stats)
	}
	_, users := control[[]userJSON](t, "GET", base+"/_fake/users", nil)
	if len(users) != 1 || !users[0].Blocked {
		t.Errorf("users = %+v", users)
	}
}

func TestSubscribe(t *testing.T) {
	f := New(Options{Flood: FloodLimits{Disabled: true}})
	base := serve(t, f)
	events, cancel := f.Subscribe()
	u := startedUser(t, f, User{FirstName: "Anna"})
	callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": u.ID, "text": "Hi Anna"})
	callJSON(t, base, f.Token(), "sendChatAction", map[string]any{"chat_id": u.ID, "action": "typing"})
	callJSON(t, base, f.Token(), "deleteMessage", map[string]any{"chat_id": u.ID, "message_id": 2})

	var got []string
	for range 4 {
		select {
		case e := <-events:
			got = append(got, string(e.Kind)+":"+e.Message.Text+e.Action)
		case <-time.After(5 * time.Second):
			t.Fatalf("timed out; got %v", got)
		}
	}
	if want := "[message:/start message:Hi Anna chat_action:typing delete:Hi Anna]"; strings.Join(got, " ") != strings.Trim(want, "[]") {
		t.Errorf("events = %v, want %s", got, want)
	}
	cancel()
	if _, ok := <-events; ok {
		t.Error("channel not closed by cancel")
	}
}
