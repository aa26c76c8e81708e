package maxfake

import "encoding/json"

// The types in this file are MAX Bot API objects as the fake sends them; their JSON follows the specification's
// schemas (User, Recipient, Message, MessageBody, Update ...). Fields tagged "-" are the fake's own bookkeeping.

// User is a MAX user who talks to the bot, or the bot itself.
type User struct {
	UserID           int64   `json:"user_id"`
	FirstName        string  `json:"first_name"`
	LastName         string  `json:"last_name,omitempty"`
	Username         *string `json:"username"` // null when the user has none
	IsBot            bool    `json:"is_bot"`
	LastActivityTime int64   `json:"last_activity_time"`
	Name             string  `json:"name"` // deprecated in the spec, still sent

	// ChatID is the user's dialog with the bot, which MAX numbers apart from users.
	ChatID int64 `json:"-"`
	// Phone is what ShareContact shares when given none.
	Phone string `json:"-"`
}

// Recipient is whom a message went to.
type Recipient struct {
	ChatID   int64  `json:"chat_id"`
	ChatType string `json:"chat_type"`
	UserID   *int64 `json:"user_id"`
}

// Message is a message in a dialog, from a user or from the bot.
type Message struct {
	Sender    *User       `json:"sender,omitempty"`
	Recipient Recipient   `json:"recipient"`
	Timestamp int64       `json:"timestamp"` // milliseconds
	Body      MessageBody `json:"body"`

	// Format is how the bot asked its text to be read (html, markdown, or "" for plain text).
	Format string `json:"-"`
}

// FromBot tells whether the bot sent m.
func (m Message) FromBot() bool { return m.Sender != nil && m.Sender.IsBot }

// MessageBody is a message's content.
type MessageBody struct {
	Mid         string       `json:"mid"`
	Seq         int64        `json:"seq"`
	Text        string       `json:"text"`
	Attachments []Attachment `json:"attachments"`
}

// Attachment is one attachment of a message: an inline keyboard from the bot, or what a user sends (a contact,
// a place, a file ...). Payload is kept as raw JSON, as the specification's attachment payloads differ by type.
type Attachment struct {
	Type      string          `json:"type"`
	Payload   json.RawMessage `json:"payload,omitempty"`
	Latitude  *float64        `json:"latitude,omitempty"`
	Longitude *float64        `json:"longitude,omitempty"`
	Filename  string          `json:"filename,omitempty"`
	Size      *int64          `json:"size,omitempty"`
}

// Button is a button of an inline keyboard.
type Button struct {
	Type    string `json:"type"`
	Text    string `json:"text"`
	Payload string `json:"payload,omitempty"`
	URL     string `json:"url,omitempty"`
}

// Keyboard returns the buttons of the message's inline keyboard, nil for none.
func (m Message) Keyboard() [][]Button {
	for _, a := range m.Body.Attachments {
		if a.Type == "inline_keyboard" {
			var p struct {
				Buttons [][]Button `json:"buttons"`
			}
			_ = json.Unmarshal(a.Payload, &p)
			return p.Buttons
		}
	}
	return nil
}

// Callback is a button press.
type Callback struct {
	Timestamp  int64  `json:"timestamp"`
	CallbackID string `json:"callback_id"`
	Payload    string `json:"payload,omitempty"`
	User       User   `json:"user"`
}

// Update is an event MAX reports to the bot. Which fields are set depends on UpdateType.
type Update struct {
	UpdateType string    `json:"update_type"`
	Timestamp  int64     `json:"timestamp"`
	Message    *Message  `json:"message,omitempty"`
	Callback   *Callback `json:"callback,omitempty"`
	ChatID     int64     `json:"chat_id,omitempty"`
	User       *User     `json:"user,omitempty"`
	Payload    *string   `json:"payload,omitempty"`
	UserLocale string    `json:"user_locale,omitempty"`

	// Raw, when set, is sent instead of the fields above (QueueRaw).
	Raw json.RawMessage `json:"-"`
	seq int64
}

// MarshalJSON sends Raw as it is, or the update's fields.
func (u Update) MarshalJSON() ([]byte, error) {
	if u.Raw != nil {
		return u.Raw, nil
	}
	type plain Update
	return json.Marshal(plain(u))
}

// CallbackAnswer is a POST /answers the bot made.
type CallbackAnswer struct {
	CallbackID   string `json:"callback_id"`
	Notification string `json:"notification,omitempty"`
	UserID       int64  `json:"user_id"`
}

// ChatAction is a POST /chats/{chatId}/actions the bot made.
type ChatAction struct {
	Action string `json:"action"`
	At     int64  `json:"at"` // milliseconds
}

// Request is one API request, as the request log keeps it.
type Request struct {
	Time   int64  `json:"time"`  // milliseconds
	Route  string `json:"route"` // "POST /messages"
	Query  string `json:"query,omitempty"`
	Body   string `json:"body,omitempty"`
	Status int    `json:"status"`
}

// Subscription is a webhook the bot subscribed.
type Subscription struct {
	URL         string   `json:"url"`
	Time        int64    `json:"time"`
	UpdateTypes []string `json:"update_types"`
}
