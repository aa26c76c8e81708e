package operatorui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/messenger"
	"dozvon/messenger/telegram/tgfake"
)

// The simulator page lets staff play Telegram's side when no bot token is configured: they pick or create a
// simulated client and act as that client, and the bot — the real messenger code, talking to the in-process fake
// over the Bot API — answers as it would in Telegram. These handlers only translate between the page's JSON and
// tgfake's controls; what the bot does is the messenger's business.

type simPage struct {
	Bot string // the simulated bot's username
	// MaxBot is the simulated MAX bot's username, "" when the simulator does not play MAX.
	MaxBot string
	Phone  string // a made-up number to start the next client with
}

func (ui *UI) showSim(w http.ResponseWriter, r *http.Request) {
	if ui.Sim == nil {
		ui.render(w, r, http.StatusNotFound, "error", view{Title: "sim.title",
			Data: errorPage{Heading: "sim.off", Text: T(ui.requestLocale(r), "sim.off_text")}})
		return
	}
	p := simPage{Bot: ui.Sim.Bot().Username, Phone: randomMobile()}
	if ui.MaxSim != nil {
		p.MaxBot = simMax{ui}.botUsername()
	}
	ui.render(w, r, http.StatusOK, "sim", view{Title: "sim.title", Data: p})
}

// simClient is a simulated user as the page lists them, on the messenger Channel names.
type simClient struct {
	ID        int64  `json:"id"` // the messenger's user id
	Channel   string `json:"channel"`
	chat      int64  // the user's chat with the bot (Telegram: the same id), which dialogs are kept by
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Blocked   bool   `json:"blocked"`
	// FromBot counts the messages the bot (campaigns, operators) sent the client: the page marks as unread
	// those that came after the person last looked at the chat.
	FromBot int `json:"from_bot"`
}

// simButton is an inline button under a bot message, or a button of the reply keyboard.
type simButton struct {
	Text           string `json:"text"`
	Data           string `json:"data,omitempty"`
	URL            string `json:"url,omitempty"`
	RequestContact bool   `json:"request_contact,omitempty"`
}

// simMessage is one bubble. Text is the text Telegram shows, with the bot's HTML already parsed into entities
// by the fake; the page renders both as text nodes, never as markup, since client text is untrusted.
type simMessage struct {
	ID       int                    `json:"id"`
	Mid      string                 `json:"mid,omitempty"` // MAX's name of the message, which a button press gives
	FromBot  bool                   `json:"from_bot"`
	Date     int64                  `json:"date"`
	Edited   bool                   `json:"edited,omitempty"`
	Text     string                 `json:"text,omitempty"`
	Entities []tgfake.MessageEntity `json:"entities,omitempty"`
	Phone    string                 `json:"phone,omitempty"` // a contact the client shared
	File     *simFile               `json:"file,omitempty"`  // a photo or file the client sent; Text is its caption
	Buttons  [][]simButton          `json:"buttons,omitempty"`
}

// simChat is the whole chat as the client's phone shows it. The page polls it; the history is bounded by the
// fake's HistoryLimit, so sending all of it keeps the page simple (edits and deletions just show up).
type simChat struct {
	Client      simClient     `json:"client"`
	Messages    []simMessage  `json:"messages"`
	Keyboard    [][]simButton `json:"keyboard,omitempty"`
	Placeholder string        `json:"placeholder,omitempty"`
}

// simClients lists the simulated clients of every simulated messenger the user may play (simSees), newest first
// on each, Telegram's first.
func (ui *UI) simClients(w http.ResponseWriter, r *http.Request) {
	if !ui.simOn(w, r) {
		return
	}
	me := currentUser(r)
	out := []simClient{}
	for _, m := range ui.simMessengers() {
		clients := m.clients()
		chats := make([]int64, len(clients))
		for i, c := range clients {
			chats[i] = c.chat
		}
		reach, err := ui.simReach(r.Context(), me, m.botID(), chats)
		if err != nil {
			ui.serverError(w, r, err)
			return
		}
		for _, c := range slices.Backward(clients) {
			if simSees(me, reach[c.chat]) {
				out = append(out, c)
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// simSees is the console's rule for who sees a dialog (hub.go: visibleTo, frameFor) applied to the simulator,
// whose chats hold what clients and operators wrote: supervisors and administrators see every chat; an operator
// a chat whose every conversation that reached the team is theirs — not one waiting in a queue (the console
// shows its text to nobody before it is someone's) nor a colleague's, open or closed; a campaign manager, who
// has no dialogs, only chats that never reached the team. Every role plays the chats that reached nobody — a new
// client, an invitation link, a campaign's message and the bot's answers — which is what the simulator is for.
func simSees(u auth.User, r dialog.Reach) bool {
	switch {
	case seesEveryChat(u):
		return true
	case u.Role == auth.Operator:
		return !r.Queued && !slices.ContainsFunc(r.Operators, func(id int64) bool { return id != u.ID })
	}
	return !r.Team() // managers, and a role added later until someone decides otherwise
}

func seesEveryChat(u auth.User) bool { return u.Role == auth.Supervisor || u.Role == auth.Admin }

// simReach is how far the chats' conversations got, as simSees needs it: nothing for those who see every chat,
// nor without the dialog core (no dialogs then).
func (ui *UI) simReach(ctx context.Context, u auth.User, bot int64, chats []int64) (map[int64]dialog.Reach, error) {
	if ui.Dialog == nil || seesEveryChat(u) {
		return nil, nil
	}
	return ui.Dialog.ChatsReach(ctx, bot, chats)
}

// simCreateClient adds a simulated user on the messenger the request names. It does not start the bot: that is the client's first action.
func (ui *UI) simCreateClient(w http.ResponseWriter, r *http.Request) {
	m, ok := ui.simOnChannel(w, r)
	if !ok {
		return
	}
	var in struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Phone     string `json:"phone"`
	}
	if err := readJSONBody(r, &in); err != nil {
		ui.simFail(w, r, http.StatusBadRequest, "sim.err_request")
		return
	}
	first, last := strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName)
	// Telegram's own limits for names.
	if first == "" || utf8.RuneCountInString(first) > 64 || utf8.RuneCountInString(last) > 64 {
		ui.simFail(w, r, http.StatusUnprocessableEntity, "sim.err_name")
		return
	}
	phone, err := messenger.NormalizePhone(in.Phone)
	if err != nil {
		ui.simFail(w, r, http.StatusUnprocessableEntity, "sim.err_phone")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"client": m.addClient(first, last, phone), "next_phone": randomMobile()})
}

func (ui *UI) simChat(w http.ResponseWriter, r *http.Request) {
	if m, id, ok := ui.simPlay(w, r); ok {
		writeJSON(w, http.StatusOK, m.chat(id))
	}
}

// simInput is the body of a client's action; each action reads the fields it needs.
type simInput struct {
	Text      string `json:"text"`
	Link      string `json:"link"`
	MessageID int    `json:"message_id"`
	Mid       string `json:"mid"` // MAX names messages by mid
	Data      string `json:"data"`
}

func (ui *UI) simSendText(w http.ResponseWriter, r *http.Request) {
	ui.simAct(w, r, func(m simMessenger, id int64, in simInput) error { return m.sendText(id, in.Text) })
}

// simStart is the client pressing Start, or opening an invitation link, which Telegram turns into
// "/start TOKEN" and MAX into bot_started with the token as its payload.
func (ui *UI) simStart(w http.ResponseWriter, r *http.Request) {
	ui.simAct(w, r, func(m simMessenger, id int64, in simInput) error {
		var token string
		if strings.TrimSpace(in.Link) != "" {
			channel, bot, t, err := messenger.ParseInviteLink(in.Link)
			if err != nil {
				return err
			}
			// A link to another bot, or to the other messenger, would open that bot, not ours.
			if own := m.botUsername(); bot != "" && (!strings.EqualFold(bot, own) || channel != m.channel()) {
				return otherBotError{link: bot, own: own}
			}
			token = t
		}
		return m.start(id, token)
	})
}

func (ui *UI) simShareContact(w http.ResponseWriter, r *http.Request) {
	ui.simAct(w, r, func(m simMessenger, id int64, _ simInput) error { return m.shareContact(id) })
}

func (ui *UI) simPressButton(w http.ResponseWriter, r *http.Request) {
	ui.simAct(w, r, func(m simMessenger, id int64, in simInput) error { return m.press(id, in) })
}

func (ui *UI) simBlock(w http.ResponseWriter, r *http.Request) {
	ui.simAct(w, r, func(m simMessenger, id int64, _ simInput) error { return m.block(id) })
}

func (ui *UI) simUnblock(w http.ResponseWriter, r *http.Request) {
	ui.simAct(w, r, func(m simMessenger, id int64, _ simInput) error { return m.unblock(id) })
}

// simAct reads an action's body, lets the client do it and answers with the chat as it is now, so the page shows
// the client's own message at once; the bot's answer arrives with a later poll.
func (ui *UI) simAct(w http.ResponseWriter, r *http.Request, act func(m simMessenger, id int64, in simInput) error) {
	m, id, ok := ui.simPlay(w, r)
	if !ok {
		return
	}
	var in simInput
	if err := readJSONBody(r, &in); err != nil {
		ui.simFail(w, r, http.StatusBadRequest, "sim.err_request")
		return
	}
	if err := act(m, id, in); err != nil {
		ui.simError(w, r, simMaxError(err))
		return
	}
	writeJSON(w, http.StatusOK, m.chat(id))
}

func (ui *UI) simOn(w http.ResponseWriter, r *http.Request) bool {
	if ui.Sim == nil {
		ui.simFail(w, r, http.StatusNotFound, "sim.err_off")
		return false
	}
	return true
}

// simOnChannel is the messenger the request names (?channel=), when the simulator plays it.
func (ui *UI) simOnChannel(w http.ResponseWriter, r *http.Request) (simMessenger, bool) {
	if !ui.simOn(w, r) {
		return nil, false
	}
	m := ui.simChannel(r)
	if m == nil {
		ui.simFail(w, r, http.StatusNotFound, "sim.err_no_channel")
		return nil, false
	}
	return m, true
}

// simPlay is the messenger and the {id} of the route, when the simulator has that client there, and the user
// may play them (simSees): reading their chat and acting as them alike.
func (ui *UI) simPlay(w http.ResponseWriter, r *http.Request) (simMessenger, int64, bool) {
	m, ok := ui.simOnChannel(w, r)
	if !ok {
		return nil, 0, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	c, ok := m.client(id)
	if err != nil || !ok {
		ui.simFail(w, r, http.StatusNotFound, "sim.err_no_client")
		return nil, 0, false
	}
	me := currentUser(r)
	reach, err := ui.simReach(r.Context(), me, m.botID(), []int64{c.chat})
	switch {
	case err != nil:
		ui.serverError(w, r, err)
		return nil, 0, false
	case !simSees(me, reach[c.chat]):
		ui.simFail(w, r, http.StatusForbidden, "sim.err_not_yours")
		return nil, 0, false
	}
	return m, id, true
}

// otherBotError is an invitation link for a bot other than the simulated one.
type otherBotError struct{ link, own string }

func (e otherBotError) Error() string {
	return fmt.Sprintf("the link opens @%s, not @%s", e.link, e.own)
}

// simError says in the person's language why Telegram would not let the client do that.
func (ui *UI) simError(w http.ResponseWriter, r *http.Request, err error) {
	var other otherBotError
	switch {
	case errors.As(err, &other):
		ui.simFail(w, r, http.StatusUnprocessableEntity, "sim.err_other_bot", other.link, other.own)
	case errors.Is(err, messenger.ErrBadInviteLink):
		ui.simFail(w, r, http.StatusUnprocessableEntity, "sim.err_link")
	case errors.Is(err, tgfake.ErrUnknownUser):
		ui.simFail(w, r, http.StatusNotFound, "sim.err_no_client")
	case errors.Is(err, tgfake.ErrBotBlocked):
		ui.simFail(w, r, http.StatusConflict, "sim.err_blocked")
	case errors.Is(err, tgfake.ErrNoSuchMessage), errors.Is(err, tgfake.ErrNoSuchButton):
		ui.simFail(w, r, http.StatusConflict, "sim.err_button")
	case errors.Is(err, tgfake.ErrEmptyText):
		ui.simFail(w, r, http.StatusUnprocessableEntity, "sim.err_empty")
	case errors.Is(err, tgfake.ErrTextTooLong):
		ui.simFail(w, r, http.StatusUnprocessableEntity, "sim.err_too_long")
	case errors.Is(err, errSimNotStarted):
		ui.simFail(w, r, http.StatusConflict, "sim.err_not_started")
	case errors.Is(err, tgfake.ErrNoPhone):
		ui.simFail(w, r, http.StatusUnprocessableEntity, "sim.err_no_phone")
	default:
		ui.serverError(w, r, err)
	}
}

func (ui *UI) simFail(w http.ResponseWriter, r *http.Request, status int, key string, args ...any) {
	writeJSONError(w, status, T(ui.requestLocale(r), key, args...))
}

func (ui *UI) simClientOf(u tgfake.User) simClient {
	c := simClient{ID: u.ID, Channel: messenger.Telegram, chat: u.ID, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username, Phone: u.Phone,
		Blocked: ui.Sim.Blocked(u.ID)}
	for _, m := range ui.Sim.Sent(u.ID) {
		if m.FromBot() {
			c.FromBot++
		}
	}
	return c
}

func (ui *UI) simChatOf(id int64) simChat {
	u, _ := ui.Sim.User(id)
	history := ui.Sim.Sent(id)
	c := simChat{Client: ui.simClientOf(u), Messages: make([]simMessage, 0, len(history))}
	for _, m := range history {
		sm := simMessage{ID: m.MessageID, FromBot: m.FromBot(), Date: m.Date, Edited: m.EditDate != 0, Text: m.Text}
		for _, e := range m.Entities {
			if e.Type == "text_link" {
				e.URL = safeLink(e.URL)
			}
			sm.Entities = append(sm.Entities, e)
		}
		if m.Contact != nil {
			sm.Phone = m.Contact.PhoneNumber
		}
		if sm.File = simFileOf(m); sm.File != nil {
			sm.Text = m.Caption
		}
		if m.ReplyMarkup != nil {
			for _, row := range m.ReplyMarkup.InlineKeyboard {
				var out []simButton
				for _, b := range row {
					out = append(out, simButton{Text: b.Text, Data: b.CallbackData, URL: safeLink(b.URL)})
				}
				sm.Buttons = append(sm.Buttons, out)
			}
		}
		c.Messages = append(c.Messages, sm)
	}
	if kb := ui.Sim.Keyboard(id); kb != nil {
		for _, row := range kb.Keyboard {
			var out []simButton
			for _, b := range row {
				out = append(out, simButton{Text: b.Text, RequestContact: b.RequestContact})
			}
			c.Keyboard = append(c.Keyboard, out)
		}
		c.Placeholder = kb.InputFieldPlaceholder
	}
	return c
}

// safeLink keeps a link the bot sent only when a browser may follow it: a javascript: or data: URL from a
// message must never become a clickable href.
func safeLink(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "tg") {
		return ""
	}
	return s
}

// randomMobile makes up a plausible Russian mobile number (+7 9XX XXX-XX-XX) for a new simulated client.
func randomMobile() string {
	return fmt.Sprintf("+7 9%02d %03d-%02d-%02d", rand.IntN(100), rand.IntN(1000), rand.IntN(100), rand.IntN(100))
}

// readJSONBody decodes a small JSON body. An empty body leaves v as it is: actions such as block need none.
func readJSONBody(r *http.Request, v any) error {
	err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(v)
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
