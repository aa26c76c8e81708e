package tgfake

import (
	"encoding/json"
	"strconv"

	"dozvon/internal/jsonx"
)

// appendMessage appends m as encoding/json would marshal it, byte for byte
// (TestAppendMessageMatchesJSON). sendMessage echoes every message it
// accepts, and reflection-driven marshalling was the largest part of the
// fake's own CPU per request in the sender benchmark (docs/BENCHMARKS.md).
func appendMessage(b []byte, m *Message) ([]byte, error) {
	if m.Photo != nil || m.Document != nil || m.Caption != "" || m.Dice != nil || m.Poll != nil || m.Venue != nil ||
		m.Location != nil { // a user's file, place, poll or dice: never on the hot path
		raw, err := json.Marshal(m)
		return append(b, raw...), err
	}
	b = append(b, `{"message_id":`...)
	b = strconv.AppendInt(b, int64(m.MessageID), 10)
	if m.From != nil {
		b = append(b, `,"from":`...)
		b = appendUser(b, m.From)
	}
	b = append(b, `,"chat":{"id":`...)
	b = strconv.AppendInt(b, m.Chat.ID, 10)
	b = append(b, `,"type":`...)
	b = jsonx.AppendString(b, m.Chat.Type, true)
	b = appendOptString(b, `,"first_name":`, m.Chat.FirstName)
	b = appendOptString(b, `,"last_name":`, m.Chat.LastName)
	b = appendOptString(b, `,"username":`, m.Chat.Username)
	b = append(b, `},"date":`...)
	b = strconv.AppendInt(b, m.Date, 10)
	if m.EditDate != 0 {
		b = append(b, `,"edit_date":`...)
		b = strconv.AppendInt(b, m.EditDate, 10)
	}
	if m.ReplyToMessage != nil {
		b = append(b, `,"reply_to_message":`...)
		var err error
		if b, err = appendMessage(b, m.ReplyToMessage); err != nil {
			return nil, err
		}
	}
	b = appendOptString(b, `,"text":`, m.Text)
	if len(m.Entities) > 0 {
		b = append(b, `,"entities":[`...)
		for i, e := range m.Entities {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"type":`...)
			b = jsonx.AppendString(b, e.Type, true)
			b = append(b, `,"offset":`...)
			b = strconv.AppendInt(b, int64(e.Offset), 10)
			b = append(b, `,"length":`...)
			b = strconv.AppendInt(b, int64(e.Length), 10)
			b = appendOptString(b, `,"url":`, e.URL)
			b = appendOptString(b, `,"language":`, e.Language)
			b = appendOptString(b, `,"custom_emoji_id":`, e.CustomEmojiID)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if c := m.Contact; c != nil {
		b = append(b, `,"contact":{"phone_number":`...)
		b = jsonx.AppendString(b, c.PhoneNumber, true)
		b = append(b, `,"first_name":`...)
		b = jsonx.AppendString(b, c.FirstName, true)
		b = appendOptString(b, `,"last_name":`, c.LastName)
		if c.UserID != 0 {
			b = append(b, `,"user_id":`...)
			b = strconv.AppendInt(b, c.UserID, 10)
		}
		b = append(b, '}')
	}
	if m.ReplyMarkup != nil {
		b = append(b, `,"reply_markup":`...)
		var err error
		if b, err = appendInlineMarkup(b, m.ReplyMarkup); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendUser(b []byte, u *User) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, u.ID, 10)
	b = append(b, `,"is_bot":`...)
	b = strconv.AppendBool(b, u.IsBot)
	b = append(b, `,"first_name":`...)
	b = jsonx.AppendString(b, u.FirstName, true)
	b = appendOptString(b, `,"last_name":`, u.LastName)
	b = appendOptString(b, `,"username":`, u.Username)
	b = appendOptString(b, `,"language_code":`, u.LanguageCode)
	return append(b, '}')
}

// appendInlineMarkup writes the common buttons (text with a URL or callback
// data) by hand and leaves a keyboard with any other kind of button to
// encoding/json, which also validates and compacts their raw JSON.
func appendInlineMarkup(b []byte, k *InlineKeyboardMarkup) ([]byte, error) {
	if !plainButtons(k.InlineKeyboard) {
		raw, err := json.Marshal(k)
		return append(b, raw...), err
	}
	b = append(b, `{"inline_keyboard":`...)
	if k.InlineKeyboard == nil {
		return append(b, `null}`...), nil
	}
	b = append(b, '[')
	for i, row := range k.InlineKeyboard {
		if i > 0 {
			b = append(b, ',')
		}
		if row == nil {
			b = append(b, `null`...)
			continue
		}
		b = append(b, '[')
		for j, btn := range row {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"text":`...)
			b = jsonx.AppendString(b, btn.Text, true)
			b = appendOptString(b, `,"icon_custom_emoji_id":`, btn.IconCustomEmojiID)
			b = appendOptString(b, `,"style":`, btn.Style)
			b = appendOptString(b, `,"url":`, btn.URL)
			b = appendOptString(b, `,"callback_data":`, btn.CallbackData)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, `]}`...), nil
}

func plainButtons(rows [][]InlineKeyboardButton) bool {
	for _, row := range rows {
		for _, btn := range row {
			if len(btn.WebApp) > 0 || len(btn.LoginURL) > 0 || btn.SwitchInlineQuery != nil ||
				btn.SwitchInlineQueryCurrentChat != nil || len(btn.SwitchInlineQueryChosenChat) > 0 ||
				btn.CopyText != nil || len(btn.CallbackGame) > 0 || btn.Pay {
				return false
			}
		}
	}
	return true
}

// appendOptString appends key and s unless s is empty (omitempty).
func appendOptString(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return jsonx.AppendString(append(b, key...), s, true)
}
