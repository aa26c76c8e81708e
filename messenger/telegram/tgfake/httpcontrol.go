package tgfake

import (
	"context"
	"net/http"
	"time"

	"dozvon/messenger/fakekit"
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
	mux := fakekit.NewControlMux(f, "tgfake: ", ErrUnknownUser, ErrNoSuchMessage)
	mux.HandleFunc("GET /_fake/users", func(w http.ResponseWriter, r *http.Request) {
		users := f.Users()
		out := make([]userJSON, len(users))
		for i, u := range users {
			out[i] = f.userJSON(u)
		}
		fakekit.WriteJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /_fake/users", func(w http.ResponseWriter, r *http.Request) {
		var in userJSON
		if !fakekit.ReadJSON(w, r, &in) {
			return
		}
		u := f.AddUser(User{ID: in.ID, FirstName: in.FirstName, LastName: in.LastName,
			Username: in.Username, LanguageCode: in.LanguageCode, Phone: in.Phone})
		fakekit.WriteJSON(w, http.StatusOK, f.userJSON(u))
	})
	fakekit.Act(mux, "start", func(id int64, in struct{ Payload string }) (Update, error) {
		return f.Start(id, in.Payload)
	})
	fakekit.Act(mux, "text", func(id int64, in struct{ Text string }) (Update, error) {
		return f.SendText(id, in.Text)
	})
	fakekit.Act(mux, "press", func(id int64, in struct {
		MessageID int    `json:"message_id"`
		Data      string `json:"data"`
	}) (Update, error) {
		return f.PressButton(id, in.MessageID, in.Data)
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
	fakekit.Act(mux, "block", func(id int64, _ struct{}) (Update, error) { return f.BlockBot(id) })
	fakekit.Act(mux, "unblock", func(id int64, _ struct{}) (Update, error) { return f.UnblockBot(id) })

	mux.GetChat("GET /_fake/chats/{id}/messages", func(id int64) any { return messagesJSON(f.Sent(id)) })
	mux.GetChat("GET /_fake/chats/{id}/keyboard", func(id int64) any { return f.Keyboard(id) })
	mux.GetChat("GET /_fake/chats/{id}/actions", func(id int64) any { return fakekit.NonNil(f.ChatActions(id)) })
	mux.HandleWait(func(ctx context.Context, id int64, n int) (any, error) {
		msgs, err := f.WaitSent(ctx, id, n)
		return messagesJSON(msgs), err
	})
	mux.Get("GET /_fake/bot_messages", func() any { return messagesJSON(f.BotMessages()) })
	mux.Get("GET /_fake/updates", func() any { return fakekit.NonNil(f.PendingUpdates()) })
	mux.Get("GET /_fake/callback_answers", func() any { return fakekit.NonNil(f.CallbackAnswers()) })
	mux.Get("GET /_fake/requests", func() any { return fakekit.NonNil(f.Requests()) })
	mux.Get("GET /_fake/stats", func() any { return f.stats() })
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
		if !fakekit.ReadJSON(w, r, &in) {
			return
		}
		if in.Method == "" {
			fakekit.WriteError(w, http.StatusBadRequest, "method is required")
			return
		}
		f.FailNext(in.Method, max(in.N, 1), Fault{Code: in.Code, Description: in.Description,
			RetryAfter: in.RetryAfter, Disconnect: in.Disconnect, AfterApply: in.AfterApply})
		fakekit.WriteJSON(w, http.StatusOK, true)
	})
	fakekit.HandleEvents(mux, f.Subscribe, func(e Event) any {
		return eventJSON{Kind: e.Kind, ChatID: e.ChatID, Message: toMessageJSON(e.Message), Action: e.Action, Time: e.Time}
	})
	return mux.ServeMux
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
