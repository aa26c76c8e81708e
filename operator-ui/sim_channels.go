package operatorui

import (
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"regexp"
	"strings"

	"dozvon/messenger"
	"dozvon/messenger/max/maxfake"
	"dozvon/messenger/telegram/tgfake"
)

// The simulator plays clients on either messenger: Telegram's fake (tgfake) and MAX's (maxfake). The handlers in
// sim.go are written once against simMessenger; a request names its messenger with ?channel= (telegram when
// absent, as the page always was). What differs — how each fake names users and chats, what its messages look
// like — stays in the two small adapters below.

// simMessenger is one simulated messenger as the page's handlers use it. Client ids are the messenger's user ids.
type simMessenger interface {
	channel() string
	botUsername() string
	botID() int64 // the bot's id in the registry, which the dialogs' reach is kept by
	clients() []simClient
	client(id int64) (simClient, bool)
	addClient(first, last, phone string) simClient
	chat(id int64) simChat
	start(id int64, token string) error
	sendText(id int64, text string) error
	shareContact(id int64) error
	press(id int64, in simInput) error
	sendMedia(id int64, up simUpload) error
	block(id int64) error
	unblock(id int64) error
}

// simChannel is the messenger a request names, nil when that one is not simulated.
func (ui *UI) simChannel(r *http.Request) simMessenger {
	switch r.URL.Query().Get("channel") {
	case "", messenger.Telegram:
		if ui.Sim != nil {
			return simTelegram{ui}
		}
	case messenger.MAX:
		if ui.MaxSim != nil {
			return simMax{ui}
		}
	}
	return nil
}

// simMessengers are the simulated messengers, Telegram first.
func (ui *UI) simMessengers() []simMessenger {
	var out []simMessenger
	if ui.Sim != nil {
		out = append(out, simTelegram{ui})
	}
	if ui.MaxSim != nil {
		out = append(out, simMax{ui})
	}
	return out
}

// simTelegram is Telegram's fake. A private chat's id is its user's id.
type simTelegram struct{ ui *UI }

func (s simTelegram) channel() string     { return messenger.Telegram }
func (s simTelegram) botUsername() string { return s.ui.Sim.Bot().Username }
func (s simTelegram) botID() int64        { return s.ui.Bot.ID }

func (s simTelegram) clients() []simClient {
	var out []simClient
	for _, u := range s.ui.Sim.Users() {
		out = append(out, s.ui.simClientOf(u))
	}
	return out
}

func (s simTelegram) client(id int64) (simClient, bool) {
	u, ok := s.ui.Sim.User(id)
	if !ok {
		return simClient{}, false
	}
	return s.ui.simClientOf(u), true
}

func (s simTelegram) addClient(first, last, phone string) simClient {
	return s.ui.simClientOf(s.ui.Sim.AddUser(tgfake.User{FirstName: first, LastName: last, Phone: phone, LanguageCode: "ru"}))
}

func (s simTelegram) chat(id int64) simChat { return s.ui.simChatOf(id) }

func (s simTelegram) start(id int64, token string) error {
	_, err := s.ui.Sim.Start(id, token)
	return err
}
func (s simTelegram) sendText(id int64, text string) error {
	_, err := s.ui.Sim.SendText(id, text)
	return err
}

// shareContact shares the client's own number, as the "share my phone" button sends.
func (s simTelegram) shareContact(id int64) error {
	_, err := s.ui.Sim.ShareContact(id, "")
	return err
}
func (s simTelegram) press(id int64, in simInput) error {
	_, err := s.ui.Sim.PressButton(id, in.MessageID, in.Data)
	return err
}
func (s simTelegram) sendMedia(id int64, up simUpload) error {
	var err error
	if up.Photo {
		_, err = s.ui.Sim.SendPhoto(id, up.Data, up.Width, up.Height, up.Caption)
	} else {
		_, err = s.ui.Sim.SendDocument(id, up.Name, up.MIME, up.Data, up.Caption)
	}
	return err
}
func (s simTelegram) block(id int64) error   { _, err := s.ui.Sim.BlockBot(id); return err }
func (s simTelegram) unblock(id int64) error { _, err := s.ui.Sim.UnblockBot(id); return err }

// simMax is MAX's fake. A dialog has a chat id of its own, apart from its user's id; MAX has no blocking apart
// from stopping the bot, and a stopped bot is started again by the client (bot_started), so "unblock" starts it.
type simMax struct{ ui *UI }

func (s simMax) channel() string { return messenger.MAX }
func (s simMax) botUsername() string {
	if name := s.ui.MaxSim.Bot().Username; name != nil {
		return *name
	}
	return ""
}
func (s simMax) botID() int64 { return s.ui.MaxBot.ID }

func (s simMax) clients() []simClient {
	var out []simClient
	for _, u := range s.ui.MaxSim.Users() {
		out = append(out, s.clientOf(u))
	}
	return out
}

func (s simMax) client(id int64) (simClient, bool) {
	u, ok := s.ui.MaxSim.User(id)
	if !ok {
		return simClient{}, false
	}
	return s.clientOf(u), true
}

func (s simMax) clientOf(u maxfake.User) simClient {
	c := simClient{ID: u.UserID, Channel: messenger.MAX, chat: u.ChatID, FirstName: u.FirstName,
		LastName: u.LastName, Phone: u.Phone, Blocked: s.ui.MaxSim.Stopped(u.UserID)}
	if u.Username != nil {
		c.Username = *u.Username
	}
	for _, m := range s.ui.MaxSim.Sent(u.ChatID) {
		if m.FromBot() {
			c.FromBot++
		}
	}
	return c
}

func (s simMax) addClient(first, last, phone string) simClient {
	return s.clientOf(s.ui.MaxSim.AddUser(maxfake.User{FirstName: first, LastName: last, Phone: phone}))
}

func (s simMax) chat(id int64) simChat {
	u, _ := s.ui.MaxSim.User(id)
	history := s.ui.MaxSim.Sent(u.ChatID)
	c := simChat{Client: s.clientOf(u), Messages: make([]simMessage, 0, len(history))}
	for _, m := range history {
		sm := simMessage{ID: int(m.Body.Seq), Mid: m.Body.Mid, FromBot: m.FromBot(), Date: m.Timestamp / 1000,
			Text: m.Body.Text}
		if m.Format == "html" {
			sm.Text = html.UnescapeString(htmlTag.ReplaceAllString(m.Body.Text, ""))
		}
		sm.File = simMaxFileOf(m) // its caption is the message's text
		for _, a := range m.Body.Attachments {
			if a.Type == "contact" {
				sm.Phone = vcfPhone(a.Payload)
			}
		}
		for _, row := range m.Keyboard() {
			var out []simButton
			for _, b := range row {
				sb := simButton{Text: b.Text}
				switch b.Type {
				case "callback":
					sb.Data = b.Payload
				case "link":
					sb.URL = safeLink(b.URL)
				case "request_contact":
					sb.RequestContact = true
				}
				out = append(out, sb)
			}
			sm.Buttons = append(sm.Buttons, out)
		}
		c.Messages = append(c.Messages, sm)
	}
	return c
}

// vcfPhone is the number in a shared contact's vCard (vcf_info's TEL line).
func vcfPhone(payload json.RawMessage) string {
	var p struct {
		VCF string `json:"vcf_info"`
	}
	_ = json.Unmarshal(payload, &p)
	for line := range strings.Lines(p.VCF) {
		if strings.HasPrefix(strings.ToUpper(line), "TEL") {
			if _, phone, ok := strings.Cut(line, ":"); ok {
				return strings.TrimSpace(phone)
			}
		}
	}
	return ""
}

// htmlTag is a tag of the HTML a bot's MAX message may be formatted with; the page shows the text without it.
var htmlTag = regexp.MustCompile(`<[^>]*>`)

func (s simMax) start(id int64, token string) error {
	_, err := s.ui.MaxSim.Start(id, token)
	return err
}
func (s simMax) sendText(id int64, text string) error {
	_, err := s.ui.MaxSim.SendText(id, text)
	return err
}
func (s simMax) shareContact(id int64) error { _, err := s.ui.MaxSim.ShareContact(id, ""); return err }
func (s simMax) press(id int64, in simInput) error {
	_, err := s.ui.MaxSim.PressButton(id, in.Mid, in.Data)
	return err
}
func (s simMax) sendMedia(id int64, up simUpload) error {
	kind := "file"
	if up.Photo {
		kind = "image"
	}
	_, err := s.ui.MaxSim.SendFile(id, kind, up.Name, up.Data, up.Caption)
	return err
}
func (s simMax) block(id int64) error   { _, err := s.ui.MaxSim.StopBot(id); return err }
func (s simMax) unblock(id int64) error { return s.start(id, "") }

// simMaxError maps the MAX fake's refusals to the Telegram fake's, which simError says in the person's language.
func simMaxError(err error) error {
	switch {
	case errors.Is(err, maxfake.ErrUnknownUser):
		return tgfake.ErrUnknownUser
	case errors.Is(err, maxfake.ErrBotStopped):
		return tgfake.ErrBotBlocked
	case errors.Is(err, maxfake.ErrNoSuchMessage), errors.Is(err, maxfake.ErrNoSuchButton):
		return tgfake.ErrNoSuchButton
	case errors.Is(err, maxfake.ErrEmptyText):
		return tgfake.ErrEmptyText
	case errors.Is(err, maxfake.ErrTextTooLong):
		return tgfake.ErrTextTooLong
	case errors.Is(err, maxfake.ErrNoPhone):
		return tgfake.ErrNoPhone
	case errors.Is(err, maxfake.ErrPayloadLong):
		return messenger.ErrBadInviteLink
	case errors.Is(err, maxfake.ErrNoDialog):
		return errSimNotStarted
	}
	return err
}

// errSimNotStarted is a MAX client acting before opening the bot, which MAX does not let them.
var errSimNotStarted = errors.New("the client has not started the bot")
