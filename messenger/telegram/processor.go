package telegram

import (
	"strings"
	"time"

	"dozvon/messenger"
)

// Decode reads a Telegram update as a messenger.Event; the processor in messenger does the rest. Only a payload
// that is not a JSON object with a numeric update_id is an error: a field of an unexpected shape is skipped and
// named in the event's Skipped.
func Decode(payload []byte) (messenger.Event, error) {
	u, err := decodeUpdate(payload)
	if err != nil {
		return messenger.Event{}, err
	}
	var ev messenger.Event
	switch {
	case u.MyChatMember != nil:
		ev = chatMember(u.MyChatMember)
	case u.CallbackQuery != nil:
		ev = callback(u.CallbackQuery)
	case u.Message != nil && u.Message.Chat.Type == "private" && u.Message.Chat.ID != 0:
		ev = decodeMessageEvent(u.Message)
	}
	// groups, channels and other update kinds are not Dozvon's business: EventNone
	ev.Skipped = u.Odd
	return ev, nil
}

func chatOf(m *message) messenger.Chat {
	c := messenger.Chat{Address: messenger.Address{ChatID: m.Chat.ID}, Username: m.Chat.Username,
		FirstName: m.Chat.FirstName}
	if m.From != nil {
		c.UserID = m.From.ID
	}
	return c
}

func decodeMessageEvent(m *message) messenger.Event {
	ev := messenger.Event{Chat: chatOf(m)}
	if m.Date != 0 {
		ev.At = time.Unix(m.Date, 0)
	}
	cmd, arg := command(strings.TrimSpace(m.Text))
	switch {
	case m.Contact != nil:
		ev.Kind, ev.Phone = messenger.EventContact, m.Contact.PhoneNumber
		// Only the sender's own number links: a forwarded card of someone else proves nothing.
		ev.PhoneIsOwn = m.Contact.UserID != 0 && m.Contact.UserID == ev.Chat.UserID
	case cmd == "/start":
		ev.Kind, ev.Payload = messenger.EventStarted, arg
	case cmd == "/stop":
		ev.Kind = messenger.EventStopped
	case m.Event:
		ev.Kind = messenger.EventSeen // a pin or a new wallpaper is nothing to answer
	default:
		ev.Kind, ev.Text, ev.Files, ev.Shared = messenger.EventMessage, m.Text, m.Files, m.Shared
		if m.Text == "" {
			ev.Text = m.Caption // a photo or file says what it is in its caption
		}
	}
	return ev
}

// command splits "/start@DozvonBot payload" into "/start" and "payload".
func command(text string) (string, string) {
	if !strings.HasPrefix(text, "/") {
		return "", ""
	}
	cmd, arg, _ := strings.Cut(text, " ")
	cmd, _, _ = strings.Cut(cmd, "@")
	return strings.ToLower(cmd), strings.TrimSpace(arg)
}

func callback(q *callbackQuery) messenger.Event {
	chat := messenger.Chat{Address: messenger.Address{ChatID: q.From.ID}, UserID: q.From.ID, Username: q.From.Username,
		FirstName: q.From.FirstName}
	if q.Message != nil && q.Message.Chat.ID != 0 {
		chat.ChatID = q.Message.Chat.ID
	}
	return messenger.Event{Kind: messenger.EventCallback, Chat: chat, Payload: q.Data, CallbackID: q.ID}
}

func chatMember(m *chatMemberUpdated) messenger.Event {
	ev := messenger.Event{Chat: messenger.Chat{Address: messenger.Address{ChatID: m.Chat.ID}}}
	switch m.NewChatMember.Status {
	case "kicked":
		ev.Kind = messenger.EventBlocked
	case "member":
		ev.Kind = messenger.EventUnblocked
	}
	return ev
}
