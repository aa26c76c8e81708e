package maxfake

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

// The control API mirrors the Go controls as JSON over HTTP, for the simulator or another process (the same
// shape as tgfake's):
//
//	GET    /_fake/users                        list users
//	POST   /_fake/users                        {"user_id"?,"first_name","last_name","username","phone"}
//	POST   /_fake/users/{id}/start             {"payload"}
//	POST   /_fake/users/{id}/text              {"text"}
//	POST   /_fake/users/{id}/press             {"mid","payload"}
//	POST   /_fake/users/{id}/contact           {"phone"}
//	POST   /_fake/users/{id}/foreign_contact   {"phone","user_id"}
//	POST   /_fake/users/{id}/location          {"latitude","longitude"}
//	POST   /_fake/users/{id}/stop              stop the bot
//	POST   /_fake/users/{id}/delete_dialog
//	GET    /_fake/chats/{id}/messages          the dialog's history
//	GET    /_fake/chats/{id}/actions
//	GET    /_fake/chats/{id}/wait?n=&timeout_ms=   block until the bot sent n messages
//	DELETE /_fake/chats/{id}                   ForgetChat
//	GET    /_fake/bot_messages
//	GET    /_fake/updates                      pending updates
//	GET    /_fake/answers                      callback answers
//	GET    /_fake/requests
//	GET    /_fake/stats                        call counts, rate limit, pending updates, subscription
//	POST   /_fake/faults                       {"route","n","status","code","message","retry_after","disconnect","after_apply"}
//	DELETE /_fake/faults
//	PUT    /_fake/latency                      {"ms"}
//	GET    /_fake/events                       server-sent events, one Event per "data:" line
//
// User actions answer with the update the bot will receive. Errors are {"error": "..."}, 404 for an unknown user
// or message, 400 otherwise. Users are named by user_id, dialogs by chat_id.

const controlPrefix = "/_fake/"

// ControlHandler serves only the /_fake/ control API (paths keep their prefix).
func (f *Fake) ControlHandler() http.Handler { return f.controlMux() }

func (f *Fake) controlMux() *http.ServeMux {
	f.controlOnce.Do(func() { f.control = f.newControlMux() })
	return f.control
}

// chatMessage is a message of a dialog as the control API shows it: MAX's Message with the format the bot asked
// its text to be read in (html, markdown, or none), which decides what the client sees and which no field of
// MAX's Message carries.
type chatMessage struct {
	Message
	Format string `json:"format,omitempty"`
}

func withFormat(msgs []Message) []chatMessage {
	out := make([]chatMessage, len(msgs))
	for i, m := range msgs {
		out[i] = chatMessage{Message: m, Format: m.Format}
	}
	return out
}

type userJSON struct {
	UserID    int64  `json:"user_id"`
	ChatID    int64  `json:"chat_id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Stopped   bool   `json:"stopped"`
}

func (f *Fake) userJSON(u User) userJSON {
	out := userJSON{UserID: u.UserID, ChatID: u.ChatID, FirstName: u.FirstName, LastName: u.LastName,
		Phone: u.Phone, Stopped: f.Stopped(u.UserID)}
	if u.Username != nil {
		out.Username = *u.Username
	}
	return out
}

func (f *Fake) newControlMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_fake/users", func(w http.ResponseWriter, r *http.Request) {
		out := []userJSON{}
		for _, u := range f.Users() {
			out = append(out, f.userJSON(u))
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /_fake/users", func(w http.ResponseWriter, r *http.Request) {
		var in userJSON
		if !readJSON(w, r, &in) {
			return
		}
		u := User{UserID: in.UserID, FirstName: in.FirstName, LastName: in.LastName, Phone: in.Phone}
		if in.Username != "" {
			u.Username = &in.Username
		}
		writeJSON(w, http.StatusOK, f.userJSON(f.AddUser(u)))
	})
	action := func(name string, act func(id int64, r *http.Request) (Update, error)) {
		mux.HandleFunc("POST /_fake/users/{id}/"+name, func(w http.ResponseWriter, r *http.Request) {
			id, ok := pathID(w, r)
			if !ok {
				return
			}
			u, err := act(id, r)
			if err != nil {
				writeControlError(w, err)
				return
			}
			writeJSON(w, http.StatusOK, u)
		})
	}
	action("start", func(id int64, r *http.Request) (Update, error) {
		var in struct{ Payload string }
		if err := decodeBody(r, &in); err != nil {
			return Update{}, err
		}
		return f.Start(id, in.Payload)
	})
	action("text", func(id int64, r *http.Request) (Update, error) {
		var in struct{ Text string }
		if err := decodeBody(r, &in); err != nil {
			return Update{}, err
		}
		return f.SendText(id, in.Text)
	})
	action("press", func(id int64, r *http.Request) (Update, error) {
		var in struct{ Mid, Payload string }
		if err := decodeBody(r, &in); err != nil {
			return Update{}, err
		}
		return f.PressButton(id, in.Mid, in.Payload)
	})
	action("contact", func(id int64, r *http.Request) (Update, error) {
		var in struct{ Phone string }
		if err := decodeBody(r, &in); err != nil {
			return Update{}, err
		}
		return f.ShareContact(id, in.Phone)
	})
	action("foreign_contact", func(id int64, r *http.Request) (Update, error) {
		var in struct {
			Phone  string `json:"phone"`
			UserID int64  `json:"user_id"`
		}
		if err := decodeBody(r, &in); err != nil {
			return Update{}, err
		}
		return f.ShareForeignContact(id, in.Phone, in.UserID)
	})
	action("location", func(id int64, r *http.Request) (Update, error) {
		var in struct{ Latitude, Longitude float64 }
		if err := decodeBody(r, &in); err != nil {
			return Update{}, err
		}
		return f.ShareLocation(id, in.Latitude, in.Longitude)
	})
	action("stop", func(id int64, _ *http.Request) (Update, error) { return f.StopBot(id) })
	action("delete_dialog", func(id int64, _ *http.Request) (Update, error) { return f.DeleteDialog(id) })

	mux.HandleFunc("GET /_fake/chats/{id}/messages", func(w http.ResponseWriter, r *http.Request) {
		if id, ok := pathID(w, r); ok {
			writeJSON(w, http.StatusOK, withFormat(f.Sent(id)))
		}
	})
	mux.HandleFunc("GET /_fake/chats/{id}/actions", func(w http.ResponseWriter, r *http.Request) {
		if id, ok := pathID(w, r); ok {
			writeJSON(w, http.StatusOK, nonNil(f.Actions(id)))
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
		writeJSON(w, http.StatusOK, withFormat(msgs))
	})
	mux.HandleFunc("DELETE /_fake/chats/{id}", func(w http.ResponseWriter, r *http.Request) {
		if id, ok := pathID(w, r); ok {
			f.ForgetChat(id)
			writeJSON(w, http.StatusOK, true)
		}
	})
	mux.HandleFunc("GET /_fake/bot_messages", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, withFormat(f.BotMessages()))
	})
	mux.HandleFunc("GET /_fake/updates", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, nonNil(f.PendingUpdates()))
	})
	mux.HandleFunc("GET /_fake/answers", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, nonNil(f.Answers()))
	})
	mux.HandleFunc("GET /_fake/requests", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, nonNil(f.Requests()))
	})
	mux.HandleFunc("GET /_fake/stats", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		calls := make(map[string]int, len(f.calls))
		for k, v := range f.calls {
			calls[k] = v
		}
		pending, users, chats := len(f.pending), len(f.users), len(f.chats)
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"calls": calls, "rate": f.RateStats(), "pending_updates": pending,
			"subscription": f.Subscription(), "users": users, "chats": chats})
	})
	mux.HandleFunc("POST /_fake/faults", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Route      string `json:"route"`
			N          int    `json:"n"`
			Status     int    `json:"status"`
			Code       string `json:"code"`
			Message    string `json:"message"`
			RetryAfter int    `json:"retry_after"`
			Disconnect bool   `json:"disconnect"`
			AfterApply bool   `json:"after_apply"`
		}
		if !readJSON(w, r, &in) {
			return
		}
		if in.Route == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `route is required, e.g. "POST /messages"`})
			return
		}
		f.FailNext(in.Route, max(in.N, 1), Fault{Status: in.Status, Code: in.Code, Message: in.Message,
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

// serveEvents streams Subscribe as server-sent events.
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
			data, _ := json.Marshal(e)
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

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad id"})
		return 0, false
	}
	return id, true
}

// decodeBody reads an optional JSON body; names match case-insensitively ({"payload"} fills Payload).
func decodeBody(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v); err != nil && !errors.Is(err, io.EOF) {
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
	writeJSON(w, status, map[string]string{"error": strings.TrimPrefix(err.Error(), "maxfake: ")})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
