package tgfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The control API mirrors the Go controls as JSON over HTTP, so another
// process or the simulator's web page can drive the fake:
//
//	GET    /_fake/users                        list users
//	POST   /_fake/users                        {"first_name","last_name","username","phone","language_code","id"?}
//	POST   /_fake/users/{id}/start             {"payload"}
//	POST   /_fake/users/{id}/text              {"text"}
//	POST   /_fake/users/{id}/press             {"message_id","data"}
//	POST   /_fake/users/{id}/contact           {"phone"}
//	POST   /_fake/users/{id}/foreign_contact   {"phone","user_id"}
//	POST   /_fake/users/{id}/block
//	POST   /_fake/users/{id}/unblock
//	GET    /_fake/chats/{id}/messages          history, as Sent
//	GET    /_fake/chats/{id}/keyboard          current reply keyboard or null
//	GET    /_fake/chats/{id}/actions
//	GET    /_fake/chats/{id}/wait?n=&timeout_ms=   block until the bot sent n messages
//	DELETE /_fake/chats/{id}                   ForgetChat
//	GET    /_fake/bot_messages
//	GET    /_fake/updates                      pending updates
//	GET    /_fake/callback_answers
//	GET    /_fake/requests
//	GET    /_fake/stats                        call counts, flood rejections, ...
//	POST   /_fake/faults                       {"method","n","code","description","retry_after","disconnect","after_apply"}
//	DELETE /_fake/faults
//	PUT    /_fake/latency                      {"ms"}
//	GET    /_fake/events                       server-sent events, one Event per "data:" line
//
// User actions answer with the update the bot will receive. Errors are
// {"error":"..."} with status 404 (unknown user/message) or 400.

const controlPrefix = "/_fake/"

// ControlHandler serves only the /_fake/ control API, for mounting it
// separately from the Bot API (paths keep their /_fake/ prefix).
func (f *Fake) ControlHandler() http.Handler { return f.controlMux() }

func (f *Fake) controlMux() *http.ServeMux {
	f.controlOnce.Do(func() { f.control = f.newControlMux() })
	return f.control
}

func (f *Fake) newControlMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_fake/users", func(w http.ResponseWriter, r *http.Request) {
		users := f.Users()
		out := make([]userJSON, len(users))
		for i, u := range users {
			out[i] = f.userJSON(u)
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /_fake/users", func(w http.ResponseWriter, r *http.Request) {
		var in userJSON
		if !readJSON(w, r, &in) {
			return
		}
		u := f.AddUser(User{ID: in.ID, FirstName: in.FirstName, LastName: in.LastName,
			Username: in.Username, LanguageCode: in.LanguageCode, Phone: in.Phone})
		writeJSON(w, http.StatusOK, f.userJSON(u))
	})
	userAction := func(path string, act func(id int64, r *http.Request) (Update, error)) {
		mux.HandleFunc("POST /_fake/users/{id}/"+path, func(w http.ResponseWriter, r *http.Request) {
			id, ok := pathID(w, r)
			if !ok {
				return
			}
			upd, err := act(id, r)
			if err != nil {
				writeControlError(w, err)
				return
			}
			writeJSON(w, http.StatusOK, upd)
		})
	}
	userAction("start", func(id int64, r *http.Request) (Update, error) {
		var in struct{ Payload string }
		if err := decodeBody(r, &in); err != nil {
			return Update{}, err
		}
		return f.Start(id, in.Payload)
	})
	userAction("text", func(id int64, r *http.Request) (Update, error) {
		var in struct{ Text string }
		if err := decodeBody(r, &in); err != nil {
			return Update{}, err
		}
		return f.SendText(id, in.Text)
	})
	userAction("press", func(id int64, r *http.Request) (Update, error) {
		var in struct {
			MessageID int    `json:"message_id"`
			Data      string `json:"data"`
		}
		if err := decodeBody(r, &in); err != nil {
			return Update{}, err
		}
		return f.PressButton(id, in.MessageID, in.Data)
	})
	userAction("contact", func(id int64, r *http.Request) (Update, error) {
		var in struct{ Phone string }
		if err := decodeBody(r, &in); err != nil {
			return Update{}, err
		}
		return f.ShareContact(id, in.Phone)
	})
	userAction("foreign_contact", func(id int64, r *http.Request) (Update, error) {
		var in struct {
			Phone  string `json:"phone"`
			UserID int64  `json:"user_id"`
		}
		if err := decodeBody(r, &in); err != nil {
			return Update{}, err
		}
		return f.ShareForeignContact(id, in.Phone, in.UserID)
	})
	userAction("block", func(id int64, _ *http.Request) (Update, error) { return f.BlockBot(id) })
	userAction("unblock", func(id int64, _ *http.Request) (Update, error) { return f.UnblockBot(id) })

	mux.HandleFunc("GET /_fake/chats/{id}/messages", func(w http.ResponseWriter, r *http.Request) {
		if id, ok := pathID(w, r); ok {
			writeJSON(w, http.StatusOK, messagesJSON(f.Sent(id)))
		}
	})
	mux.HandleFunc("GET /_fake/chats/{id}/keyboard", func(w http.ResponseWriter, r *http.Request) {
		if id, ok := pathID(w, r); ok {
			writeJSON(w, http.StatusOK, f.Keyboard(id))
		}
	})
	mux.HandleFunc("GET /_fake/chats/{id}/actions", func(w http.ResponseWriter, r *http.Request) {
		if id, ok := pathID(w, r); ok {
			writeJSON(w, http.StatusOK, nonNil(f.ChatActions(id)))
		}
	})
	mux.HandleFunc("GET /_fake/chats/{id}/wait", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(w, r)
		if !ok {
			return
		}
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		timeout := 10 * time.Second
		if ms, err := strconv.Atoi(r.URL.Query().Get("timeout_ms")); err == nil && ms > 0 {
			timeout = time.Duration(ms) * time.Millisecond
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		msgs, err := f.WaitSent(ctx, id, n)
		if err != nil {
			writeJSON(w, http.StatusRequestTimeout, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, messagesJSON(msgs))
	})
	mux.HandleFunc("DELETE /_fake/chats/{id}", func(w http.ResponseWriter, r *http.Request) {
		if id, ok := pathID(w, r); ok {
			f.ForgetChat(id)
			writeJSON(w, http.StatusOK, true)
		}
	})
	mux.HandleFunc("GET /_fake/bot_messages", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, messagesJSON(f.BotMessages()))
	})
	mux.HandleFunc("GET /_fake/updates", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, nonNil(f.PendingUpdates()))
	})
	mux.HandleFunc("GET /_fake/callback_answers", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, nonNil(f.CallbackAnswers()))
	})
	mux.HandleFunc("GET /_fake/requests", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, nonNil(f.Requests()))
	})
	mux.HandleFunc("GET /_fake/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, f.stats())
	})
	mux.HandleFunc("POST /_fake/faults", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Method      string `json:"method"`
			N           int    `json:"n"`
			Code        int    `json:"code"`
			Description string `json:"description"`
			RetryAfter  int    `json:"retry_after"`
			Disconnect  bool   `json:"disconnect"`
			AfterApply  bool   `json:"after_apply"`
		}
		if !readJSON(w, r, &in) {
			return
		}
		if in.Method == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "method is required"})
			return
		}
		f.FailNext(in.Method, max(in.N, 1), Fault{Code: in.Code, Description: in.Description,
			RetryAfter: in.RetryAfter, Disconnect: in.Disconnect, AfterApply: in.AfterApply})
		writeJSON(w, http.StatusOK, true)
	})
	mux.HandleFunc("DELETE /_fake/faults", func(w http.ResponseWriter, r *http.Request) {
		f.ClearFaults()
		writeJSON(w, http.StatusOK, true)
	})
	mux.HandleFunc("PUT /_fake/latency", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ MS int }
		if !readJSON(w, r, &in) {
			return
		}
		f.SetLatency(time.Duration(in.MS) * time.Millisecond)
		writeJSON(w, http.StatusOK, true)
	})
	mux.HandleFunc("GET /_fake/events", f.serveEvents)
	mux.HandleFunc("/_fake/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such control endpoint"})
	})
	return mux
}

// serveEvents streams Subscribe as server-sent events, which a browser's
// EventSource reads without any library.
func (f *Fake) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "streaming unsupported"})
		return
	}
	events, cancel := f.Subscribe()
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case e := <-events:
			data, _ := json.Marshal(eventJSON{Kind: e.Kind, ChatID: e.ChatID, Message: toMessageJSON(e.Message), Action: e.Action, Time: e.Time})
			fmt.Fprintf(w, "data: %s\n\n", data)
			flusher.Flush()
		case <-keepAlive.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			flusher.Flush()
		case <-r.Context().Done():
			return
		}
	}
}

type userJSON struct {
	ID           int64  `json:"id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
	Phone        string `json:"phone,omitempty"`
	Blocked      bool   `json:"blocked"`
}

func (f *Fake) userJSON(u User) userJSON {
	return userJSON{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username,
		LanguageCode: u.LanguageCode, Phone: u.Phone, Blocked: f.Blocked(u.ID)}
}

// messageJSON is a Message plus the fields the Bot API would not show but
// a chat view needs (the reply keyboard, the parse mode).
type messageJSON struct {
	Message
	ReplyKeyboard  *ReplyKeyboardMarkup `json:"reply_keyboard,omitempty"`
	RemoveKeyboard bool                 `json:"remove_keyboard,omitempty"`
	ParseMode      string               `json:"parse_mode,omitempty"`
	PaidBroadcast  bool                 `json:"paid_broadcast,omitempty"`
}

func toMessageJSON(m Message) messageJSON {
	return messageJSON{Message: m, ReplyKeyboard: m.ReplyKeyboard, RemoveKeyboard: m.RemoveKeyboard,
		ParseMode: m.ParseMode, PaidBroadcast: m.PaidBroadcast}
}

func messagesJSON(ms []Message) []messageJSON {
	out := make([]messageJSON, len(ms))
	for i, m := range ms {
		out[i] = toMessageJSON(m)
	}
	return out
}

type eventJSON struct {
	Kind    EventKind   `json:"kind"`
	ChatID  int64       `json:"chat_id"`
	Message messageJSON `json:"message"`
	Action  string      `json:"action,omitempty"`
	Time    time.Time   `json:"time"`
}

type statsJSON struct {
	Calls           map[string]int `json:"calls"`
	FloodRejections int            `json:"flood_rejections"`
	FloodWaitSends  int            `json:"flood_wait_sends"`
	PendingUpdates  int            `json:"pending_updates"`
	WebhookURL      string         `json:"webhook_url"`
	Users           int            `json:"users"`
	Chats           int            `json:"chats"`
}

func (f *Fake) stats() statsJSON {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := statsJSON{
		Calls:           make(map[string]int, len(f.calls)),
		FloodRejections: f.flood.rejects,
		FloodWaitSends:  f.flood.waitSends,
		PendingUpdates:  len(f.pending),
		WebhookURL:      f.webhook.url,
		Users:           len(f.users),
		Chats:           len(f.chats),
	}
	for m, n := range f.calls {
		s.Calls[canonicalMethod(m)] = n
	}
	return s
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad id"})
		return 0, false
	}
	return id, true
}

// decodeBody reads an optional JSON body; field names match
// case-insensitively, so {"payload":...} fills Payload.
func decodeBody(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("bad JSON body: %w", err)
	}
	return nil
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := decodeBody(r, v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return false
	}
	return true
}

func writeControlError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	if errors.Is(err, ErrUnknownUser) || errors.Is(err, ErrNoSuchMessage) {
		status = http.StatusNotFound
	}
	writeJSON(w, status, map[string]string{"error": strings.TrimPrefix(err.Error(), "tgfake: ")})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// nonNil makes empty lists encode as [] rather than null, which is
// friendlier to JavaScript callers.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
