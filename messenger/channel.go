package messenger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dozvon/internal/msg"
)

// Button is an inline button under a message. Exactly one of Data (a callback the bot receives), URL, or
// RequestContact (a "share my phone" keyboard button) is set.
type Button struct {
	Text           string `json:"text"`
	Data           string `json:"data,omitempty"`
	URL            string `json:"url,omitempty"`
	RequestContact bool   `json:"request_contact,omitempty"`
}

// Markup is the buttons of a message, by rows.
type Markup [][]Button

// Message is one message to one chat. Text is Telegram HTML in which every substituted value was escaped.
type Message struct {
	ChatID  int64
	Text    string
	Buttons Markup
	// PaidBroadcast asks Telegram for the paid limit (up to 1000 msg/s) for this message.
	PaidBroadcast bool
}

// Channel is the messenger as the sender sees it. Implementations return the errors below so the sender can
// decide between waiting, retrying and giving up.
type Channel interface {
	Send(ctx context.Context, m Message) (messageID int64, err error)
	Typing(ctx context.Context, chatID int64) error
}

var (
	// ErrBlocked: the user blocked the bot (403). Not retried; the contact is marked blocked.
	ErrBlocked = errors.New("messenger: the client blocked the bot")
	// ErrChatNotFound: the chat does not exist or never started the bot (400). Not retried.
	ErrChatNotFound = errors.New("messenger: chat not found")
)

// RetryAfterError is the messenger's flood control: nothing may be sent by this bot for After.
type RetryAfterError struct{ After time.Duration }

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("messenger: flood control, retry after %s", e.After)
}

// PermanentError is a refusal that a retry cannot fix (a malformed message, say). Reason is in English, for the
// outbox's record and the logs; Msg is the same for a person, in their language (errors.As finds it).
type PermanentError struct {
	Reason string
	Msg    *msg.Error
}

func (e *PermanentError) Error() string { return "messenger: refused: " + e.Reason }

func (e *PermanentError) Unwrap() error {
	if e.Msg == nil {
		return nil
	}
	return e.Msg
}

// Refused is a PermanentError with a coded reason.
func Refused(code string, args ...any) *PermanentError {
	m := msg.New(code, args...)
	return &PermanentError{Reason: msg.English(m), Msg: m}
}

// MaxTextLength is Telegram's limit for a message's text after entity parsing; checked before sending.
const MaxTextLength = 4096

// MaxButtonData is Telegram's limit for callback data, in bytes.
const MaxButtonData = 64

// Validate refuses a message that Telegram would refuse, with a reason a campaign manager can act on.
func (m Message) Validate() error {
	if m.ChatID == 0 {
		return Refused("messenger.no_chat")
	}
	// The text goes in HTML parse mode: what Telegram's parser would refuse is refused here, and the limits are
	// on the text as it parses, without tags and with each entity one character.
	parsed := ParseHTML(m.Text)
	if parsed.Refused != nil {
		return Refused("messenger.html", parsed.Refused.Msg())
	}
	n := parsed.Length()
	if n == 0 {
		return Refused("messenger.text_empty")
	}
	if n > MaxTextLength {
		return Refused("messenger.text_too_long", n, MaxTextLength)
	}
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Text == "" {
				return Refused("messenger.button_no_text")
			}
			// Telegram takes exactly one action per inline button (callback data, a URL, ...): a button with
			// none is refused, one with two as well.
			switch actions(b) {
			case 0:
				return Refused("messenger.button_no_action", b.Text)
			case 1:
			default:
				return Refused("messenger.button_two_actions", b.Text)
			}
			if len(b.Data) > MaxButtonData {
				return Refused("messenger.button_data_long", b.Text, len(b.Data), MaxButtonData)
			}
		}
	}
	return nil
}

// actions counts what pressing b does.
func actions(b Button) int {
	n := 0
	for _, set := range []bool{b.Data != "", b.URL != "", b.RequestContact} {
		if set {
			n++
		}
	}
	return n
}
