package tgfake

import (
	"encoding/json"
	"time"
)

// The types in this file mirror the Bot API objects the fake produces. Their
// JSON tags follow https://core.telegram.org/bots/api exactly; fields tagged
// `json:"-"` are the fake's own bookkeeping and never go over the wire.

// User is a Telegram user (or the bot itself, with IsBot set).
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`

	// Phone is the number ShareContact shares when given none. The Bot API
	// never exposes a user's phone on the User object, hence "-".
	Phone string `json:"-"`
}

// Chat is a private chat between the bot and one user; its ID equals the
// user's ID, as in Telegram.
type Chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

// MessageEntity marks a span of a message's text. Offset and Length count
// UTF-16 code units, like the Bot API.
type MessageEntity struct {
	Type           string `json:"type"`
	Offset         int    `json:"offset"`
	Length         int    `json:"length"`
	URL            string `json:"url,omitempty"`
	Language       string `json:"language,omitempty"`
	CustomEmojiID  string `json:"custom_emoji_id,omitempty"`
	UnixTime       int64  `json:"unix_time,omitempty"`        // date_time
	DateTimeFormat string `json:"date_time_format,omitempty"` // date_time
}

// Contact is a shared phone contact.
type Contact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name,omitempty"`
	UserID      int64  `json:"user_id,omitempty"`
}

// Message is a message in a chat, sent either by a user or by the bot.
type Message struct {
	MessageID      int                   `json:"message_id"`
	From           *User                 `json:"from,omitempty"`
	Chat           Chat                  `json:"chat"`
	Date           int64                 `json:"date"`
	EditDate       int64                 `json:"edit_date,omitempty"`
	ReplyToMessage *Message              `json:"reply_to_message,omitempty"`
	Text           string                `json:"text,omitempty"`
	Entities       []MessageEntity       `json:"entities,omitempty"`
	Contact        *Contact              `json:"contact,omitempty"`
	Photo          []PhotoSize           `json:"photo,omitempty"`
	Document       *Document             `json:"document,omitempty"`
	Caption        string                `json:"caption,omitempty"`
	Dice           *Dice                 `json:"dice,omitempty"`
	Poll           *Poll                 `json:"poll,omitempty"`
	Venue          *Venue                `json:"venue,omitempty"`
	Location       *Location             `json:"location,omitempty"`
	ReplyMarkup    *InlineKeyboardMarkup `json:"reply_markup,omitempty"`

	// ReplyKeyboard is the reply keyboard the bot attached to this message.
	// Telegram does not echo reply keyboards back in Message objects, but a
	// test (or the simulator) needs to see what the user was offered.
	ReplyKeyboard *ReplyKeyboardMarkup `json:"-"`
	// RemoveKeyboard is set when the message carried ReplyKeyboardRemove.
	RemoveKeyboard bool `json:"-"`
	// ParseMode is the parse_mode the bot used; Text and Entities are the
	// result of parsing, as Telegram returns them.
	ParseMode string `json:"-"`
	// PaidBroadcast is set when sent with allow_paid_broadcast.
	PaidBroadcast bool `json:"-"`

	seq int64 // global creation order, so BotMessages can merge chats
}

// FromBot reports whether the bot sent the message.
func (m Message) FromBot() bool { return m.From != nil && m.From.IsBot }

// InlineKeyboardMarkup is an inline keyboard attached to a message.
type InlineKeyboardMarkup struct {
	InlineKeyboard [][]InlineKeyboardButton `json:"inline_keyboard"`
}

// InlineKeyboardButton is one inline keyboard button. Rarely used button
// kinds are kept as raw JSON so they are echoed back unchanged.
type InlineKeyboardButton struct {
	Text                         string          `json:"text"`
	IconCustomEmojiID            string          `json:"icon_custom_emoji_id,omitempty"`
	Style                        string          `json:"style,omitempty"`
	URL                          string          `json:"url,omitempty"`
	CallbackData                 string          `json:"callback_data,omitempty"`
	WebApp                       json.RawMessage `json:"web_app,omitempty"`
	LoginURL                     json.RawMessage `json:"login_url,omitempty"`
	SwitchInlineQuery            *string         `json:"switch_inline_query,omitempty"`
	SwitchInlineQueryCurrentChat *string         `json:"switch_inline_query_current_chat,omitempty"`
	SwitchInlineQueryChosenChat  json.RawMessage `json:"switch_inline_query_chosen_chat,omitempty"`
	CopyText                     *CopyTextButton `json:"copy_text,omitempty"`
	CallbackGame                 json.RawMessage `json:"callback_game,omitempty"`
	Pay                          bool            `json:"pay,omitempty"`
}

// CopyTextButton is the copy_text action of an inline button.
type CopyTextButton struct {
	Text string `json:"text"`
}

// ReplyKeyboardMarkup is a custom reply keyboard shown to the user.
type ReplyKeyboardMarkup struct {
	Keyboard              [][]KeyboardButton `json:"keyboard"`
	IsPersistent          bool               `json:"is_persistent,omitempty"`
	ResizeKeyboard        bool               `json:"resize_keyboard,omitempty"`
	OneTimeKeyboard       bool               `json:"one_time_keyboard,omitempty"`
	InputFieldPlaceholder string             `json:"input_field_placeholder,omitempty"`
	Selective             bool               `json:"selective,omitempty"`
}

// KeyboardButton is one reply keyboard button.
type KeyboardButton struct {
	Text              string          `json:"text"`
	IconCustomEmojiID string          `json:"icon_custom_emoji_id,omitempty"`
	Style             string          `json:"style,omitempty"`
	RequestContact    bool            `json:"request_contact,omitempty"`
	RequestLocation   bool            `json:"request_location,omitempty"`
	RequestUsers      json.RawMessage `json:"request_users,omitempty"`
	RequestChat       json.RawMessage `json:"request_chat,omitempty"`
	RequestPoll       json.RawMessage `json:"request_poll,omitempty"`
	WebApp            json.RawMessage `json:"web_app,omitempty"`
}

// UnmarshalJSON accepts a bare string as a text-only button, which the Bot
// API still allows for backwards compatibility.
func (b *KeyboardButton) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		b.Text = ""
		return json.Unmarshal(data, &b.Text)
	}
	type plain KeyboardButton // no UnmarshalJSON method: avoids recursion
	return json.Unmarshal(data, (*plain)(b))
}

// CallbackQuery is sent to the bot when a user presses an inline button.
type CallbackQuery struct {
	ID           string   `json:"id"`
	From         User     `json:"from"`
	Message      *Message `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance"`
	Data         string   `json:"data,omitempty"`
}

// ChatMember is the bot's membership in a chat, as seen in my_chat_member.
type ChatMember struct {
	Status string `json:"status"` // "member" or "kicked"
	User   User   `json:"user"`
	// UntilDate is always present (0, i.e. forever) for "kicked", as in the
	// Bot API's ChatMemberBanned; absent otherwise.
	UntilDate *int64 `json:"until_date,omitempty"`
}

// ChatMemberUpdated reports that a user blocked or unblocked the bot.
type ChatMemberUpdated struct {
	Chat          Chat       `json:"chat"`
	From          User       `json:"from"`
	Date          int64      `json:"date"`
	OldChatMember ChatMember `json:"old_chat_member"`
	NewChatMember ChatMember `json:"new_chat_member"`
}

// Update is one incoming update for the bot.
type Update struct {
	UpdateID      int64              `json:"update_id"`
	Message       *Message           `json:"message,omitempty"`
	CallbackQuery *CallbackQuery     `json:"callback_query,omitempty"`
	MyChatMember  *ChatMemberUpdated `json:"my_chat_member,omitempty"`

	raw     json.RawMessage // SendRaw's update, sent as it is (MarshalJSON)
	rawKind string
}

// kind is the update's type name as used in allowed_updates.
func (u Update) kind() string {
	switch {
	case u.raw != nil:
		return u.rawKind
	case u.Message != nil:
		return "message"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.MyChatMember != nil:
		return "my_chat_member"
	}
	return ""
}

// BotCommand is one entry of the bot's command menu.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// ChatAction is one sendChatAction call, e.g. "typing".
type ChatAction struct {
	Action string    `json:"action"`
	Time   time.Time `json:"time"`
}

// CallbackAnswer is one answerCallbackQuery call.
type CallbackAnswer struct {
	QueryID   string    `json:"callback_query_id"`
	UserID    int64     `json:"user_id"`
	MessageID int       `json:"message_id"`
	Data      string    `json:"data"`
	Text      string    `json:"text,omitempty"`
	ShowAlert bool      `json:"show_alert,omitempty"`
	URL       string    `json:"url,omitempty"`
	CacheTime int       `json:"cache_time,omitempty"`
	Time      time.Time `json:"time"`
}

// Request is one entry of the Bot API request log.
type Request struct {
	Time   time.Time         `json:"time"`
	Method string            `json:"method"` // canonical spelling, e.g. "sendMessage"
	Params map[string]string `json:"params,omitempty"`
	Status int               `json:"status"` // HTTP status of the response
}
