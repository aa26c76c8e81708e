package messenger

import (
	"context"
	"errors"
	"fmt"
	"math"
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

// Address is a chat as Dozvon writes to it: a chat of one bot on one channel. A chat id alone names nothing: the
// same Telegram user has the same chat id with every bot.
type Address struct {
	Channel string
	BotID   int64 // in Bots
	ChatID  int64 // as the bot's messenger names the chat
}

// Message is one message to one chat. Text is Telegram HTML in which every substituted value was escaped: the
// stored form of every channel, which each adapter writes in its messenger's format.
type Message struct {
	Address
	Text    string
	Buttons Markup
	// PaidBroadcast asks Telegram for the paid limit (up to 1000 msg/s) for this message.
	PaidBroadcast bool
}

// Channel is one bot as the sender sees it: a sender drains the outbox rows of its bot into it. Implementations
// return the errors below so the sender can decide between waiting, retrying and giving up.
type Channel interface {
	// Send delivers m to m.ChatID and returns the messenger's reference of the message it made (Telegram's
	// message_id as a number in decimal, MAX's mid).
	Send(ctx context.Context, m Message) (ref string, err error)
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

// Msg is the flood wait for a person: the message is sent again after it, in whole seconds.
func (e *RetryAfterError) Msg() *msg.Error {
	return msg.New("messenger.flood_wait", int64(math.Ceil(e.After.Seconds())))
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

// MaxTextLength is Telegram's limit for a message's text after entity parsing; checked before sending. A campaign
// is written within it; other channels' limits are in Limits.
const MaxTextLength = 4096

// MaxButtonData is Telegram's limit for callback data, in bytes.
const MaxButtonData = 64

// Limits are what a channel's messenger accepts in one message.
type Limits struct {
	Name       string // the messenger, as a refusal names it
	Text       int    // characters of the text as it parses
	ButtonData int    // bytes of a button's callback data
}

// LimitsOf returns the limits of channel (Telegram's Bot API; MAX's schema: text maxLength 4000, a callback
// button's payload 1024), and false for a channel Dozvon does not speak.
func LimitsOf(channel string) (Limits, bool) {
	switch channel {
	case Telegram:
		return Limits{"Telegram", MaxTextLength, MaxButtonData}, true
	case MAX:
		return Limits{"MAX", 4000, 1024}, true
	}
	return Limits{}, false
}

// Validate refuses a message that its channel's messenger would refuse, with a reason a campaign manager can act
// on.
func (m Message) Validate() error {
	if m.ChatID == 0 {
		return Refused("messenger.no_chat")
	}
	if m.BotID == 0 {
		return Refused("messenger.no_bot")
	}
	limits, ok := LimitsOf(m.Channel)
	if !ok {
		return Refused("messenger.unknown_channel", m.Channel)
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
	if n > limits.Text {
		return Refused("messenger.text_too_long", n, limits.Name, limits.Text)
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
			if len(b.Data) > limits.ButtonData {
				return Refused("messenger.button_data_long", b.Text, len(b.Data), limits.Name, limits.ButtonData)
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
