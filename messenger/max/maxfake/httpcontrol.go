package maxfake

import (
	"context"
	"net/http"

	"dozvon/messenger/fakekit"
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
	mux := fakekit.NewControlMux(f, "maxfake: ", ErrUnknownUser, ErrNoSuchMessage)
	mux.HandleFunc("GET /_fake/users", func(w http.ResponseWriter, r *http.Request) {
		out := []userJSON{}
		for _, u := range f.Users() {
			out = append(out, f.userJSON(u))
		}
		fakekit.WriteJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /_fake/users", func(w http.ResponseWriter, r *http.Request) {
		var in userJSON
		if !fakekit.ReadJSON(w, r, &in) {
			return
		}
		u := User{UserID: in.UserID, FirstName: in.FirstName, LastName: in.LastName, Phone: in.Phone}
		if in.Username != "" {
			u.Username = &in.Username
		}
		fakekit.WriteJSON(w, http.StatusOK, f.userJSON(f.AddUser(u)))
	})
	fakekit.Act(mux, "start", func(id int64, in struct{ Payload string }) (Update, error) {
		return f.Start(id, in.Payload)
	})
	fakekit.Act(mux, "text", func(id int64, in struct{ Text string }) (Update, error) {
		return f.SendText(id, in.Text)
	})
	fakekit.Act(mux, "press", func(id int64, in struct{ Mid, Payload string }) (Update, error) {
		return f.PressButton(id, in.Mid, in.Payload)
	})
	fakekit.Act(mux, "contact", func(id int64, in struct{ Phone string }) (Update, error) {
		return f.ShareContact(id, in.Phone)
	})
	fakekit.Act(mux, "foreign_contact", func(id int64, in struct {
		Phone  string `json:"phone"`
		UserID int64  `json:"user_id"`
	}) (Update, error) {
		return f.ShareForeignContact(id, in.Phone, in.UserID)
	})
	fakekit.Act(mux, "location", func(id int64, in struct{ Latitude, Longitude float64 }) (Update, error) {
		return f.ShareLocation(id, in.Latitude, in.Longitude)
	})
	fakekit.Act(mux, "stop", func(id int64, _ struct{}) (Update, error) { return f.StopBot(id) })
	fakekit.Act(mux, "delete_dialog", func(id int64, _ struct{}) (Update, error) { return f.DeleteDialog(id) })

	mux.GetChat("GET /_fake/chats/{id}/messages", func(id int64) any { return withFormat(f.Sent(id)) })
	mux.GetChat("GET /_fake/chats/{id}/actions", func(id int64) any { return fakekit.NonNil(f.Actions(id)) })
	mux.HandleWait(func(ctx context.Context, id int64, n int) (any, error) {
		msgs, err := f.WaitSent(ctx, id, n)
		return withFormat(msgs), err
	})
	mux.Get("GET /_fake/bot_messages", func() any { return withFormat(f.BotMessages()) })
	mux.Get("GET /_fake/updates", func() any { return fakekit.NonNil(f.PendingUpdates()) })
	mux.Get("GET /_fake/answers", func() any { return fakekit.NonNil(f.Answers()) })
	mux.Get("GET /_fake/requests", func() any { return fakekit.NonNil(f.Requests()) })
	mux.Get("GET /_fake/stats", func() any {
		f.mu.Lock()
		calls := make(map[string]int, len(f.calls))
		for k, v := range f.calls {
			calls[k] = v
		}
		pending, users, chats := len(f.pending), len(f.users), len(f.chats)
		f.mu.Unlock()
		return map[string]any{"calls": calls, "rate": f.RateStats(), "pending_updates": pending,
			"subscription": f.Subscription(), "users": users, "chats": chats}
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
		if !fakekit.ReadJSON(w, r, &in) {
			return
		}
		if in.Route == "" {
			fakekit.WriteError(w, http.StatusBadRequest, `route is required, e.g. "POST /messages"`)
			return
		}
		f.FailNext(in.Route, max(in.N, 1), Fault{Status: in.Status, Code: in.Code, Message: in.Message,
			RetryAfter: in.RetryAfter, Disconnect: in.Disconnect, AfterApply: in.AfterApply})
		fakekit.WriteJSON(w, http.StatusOK, true)
	})
	fakekit.HandleEvents(mux, f.Subscribe, func(e Event) any { return e })
	return mux.ServeMux
}
