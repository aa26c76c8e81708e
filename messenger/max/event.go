package max

import (
	"strings"

	"dozvon/messenger"
)

// DecodeEvent reads a stored MAX update as a messenger.Event, for messenger.Processor, which does the rest as for
// every messenger. Only a payload that is not an update at all is an error; a field of an unexpected shape is
// named in the event's Skipped.
func DecodeEvent(payload []byte) (messenger.Event, error) {
	e, err := Decode(payload)
	if err != nil {
		return messenger.Event{}, err
	}
	ev := messenger.Event{Chat: e.Chat, At: e.At, Skipped: e.Odd}
	switch e.Kind {
	case KindStarted:
		ev.Kind, ev.Payload = messenger.EventStarted, e.Payload
	case KindCallback:
		ev.Kind, ev.Payload, ev.CallbackID = messenger.EventCallback, e.Payload, e.CallbackID
	case KindStopped:
		// bot_stopped, dialog_removed, user_removed: writing fails until the client starts the bot again, and
		// bot_started lifts it (the processor's start resubscribes the chat).
		ev.Kind = messenger.EventBlocked
	case KindMessage:
		messageEvent(e, &ev)
	}
	// KindIgnored: edits, group events and types MAX adds later are not Dozvon's business (EventNone).
	return ev, nil
}

func messageEvent(e Event, ev *messenger.Event) {
	switch {
	case e.Chat.ChatID == 0:
		return // not a dialog Dozvon can answer
	case e.Contact != nil:
		// MAX says the contact is the sender's own (max_info names the sender), as a request_contact button shares
		// it; a card forwarded by hand names someone else, or nobody, and links nothing.
		ev.Kind, ev.Phone, ev.PhoneIsOwn = messenger.EventContact, e.Contact.Phone, e.Contact.Own
	case strings.EqualFold(strings.TrimSpace(e.Text), "/stop") && len(e.Files) == 0:
		ev.Kind = messenger.EventStopped // the same words stop messages on every messenger
	default:
		ev.Kind, ev.Text, ev.Files, ev.Shared = messenger.EventMessage, e.Text, e.Files, e.Shared
	}
}
