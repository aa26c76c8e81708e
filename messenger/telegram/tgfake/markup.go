package tgfake

import (
	"bytes"
	"encoding/json"
	"sync"
)

// replyMarkup is a parsed reply_markup parameter: exactly one of the four
// Bot API markup kinds, or none.
type replyMarkup struct {
	inline     *InlineKeyboardMarkup
	keyboard   *ReplyKeyboardMarkup
	remove     bool // ReplyKeyboardRemove
	forceReply bool // ForceReply: accepted, nothing to show
}

// maxCallbackData is the Bot API's limit on callback_data, in bytes.
const maxCallbackData = 64

var errMarkupJSON = badRequest("can't parse reply keyboard markup JSON object")

// parsedMarkups remembers the reply_markup values parsed lately. A broadcast sends the same buttons with every
// message, and parsing them was the largest part of the fake's own work per sendMessage. Parsing is a function of
// the text alone, and parsed markup is shared read-only, as the rest of a message's nested values are.
var parsedMarkups struct {
	sync.Mutex
	m map[string]replyMarkup
}

// parseReplyMarkupCached is parseReplyMarkup for sendMessage, remembering what it parsed.
func parseReplyMarkupCached(raw string) (replyMarkup, *apiError) {
	if raw == "" {
		return replyMarkup{}, nil
	}
	parsedMarkups.Lock()
	rm, ok := parsedMarkups.m[raw]
	parsedMarkups.Unlock()
	if ok {
		return rm, nil
	}
	rm, aerr := parseReplyMarkup(raw)
	if aerr != nil {
		return rm, aerr
	}
	parsedMarkups.Lock()
	if len(parsedMarkups.m) >= 256 || parsedMarkups.m == nil {
		parsedMarkups.m = make(map[string]replyMarkup, 256)
	}
	parsedMarkups.m[raw] = rm
	parsedMarkups.Unlock()
	return rm, nil
}

func parseReplyMarkup(raw string) (replyMarkup, *apiError) {
	var rm replyMarkup
	if raw == "" {
		return rm, nil
	}
	var probe struct {
		InlineKeyboard *[][]InlineKeyboardButton `json:"inline_keyboard"`
		Keyboard       *[][]KeyboardButton       `json:"keyboard"`
		RemoveKeyboard bool                      `json:"remove_keyboard"`
		ForceReply     bool                      `json:"force_reply"`
	}
	if err := json.Unmarshal([]byte(raw), &probe); err != nil {
		return rm, errMarkupJSON
	}
	switch {
	case probe.InlineKeyboard != nil:
		kb, aerr := validateInline(*probe.InlineKeyboard)
		if aerr != nil {
			return rm, aerr
		}
		if len(kb) > 0 {
			rm.inline = &InlineKeyboardMarkup{InlineKeyboard: kb}
		}
	case probe.Keyboard != nil:
		kb := &ReplyKeyboardMarkup{}
		if err := json.Unmarshal([]byte(raw), kb); err != nil {
			return rm, errMarkupJSON
		}
		for _, row := range kb.Keyboard {
			for i := range row {
				if row[i].Text == "" {
					return rm, badRequest("can't parse keyboard button: Text must be non-empty")
				}
				nullToEmpty(&row[i].RequestUsers, &row[i].RequestChat, &row[i].RequestPoll, &row[i].WebApp)
			}
		}
		rm.keyboard = kb
	case probe.RemoveKeyboard:
		rm.remove = true
	case probe.ForceReply:
		rm.forceReply = true
	default:
		return rm, errMarkupJSON
	}
	return rm, nil
}

// validateInline checks buttons the way Telegram does and normalises them
// so they are echoed back like Telegram would: go-telegram/bot, for one,
// always sends "copy_text":{"text":""}, which Telegram treats as absent.
func validateInline(rows [][]InlineKeyboardButton) ([][]InlineKeyboardButton, *apiError) {
	out := rows[:0]
	for _, row := range rows {
		if len(row) == 0 {
			continue // Telegram drops empty rows
		}
		for i := range row {
			b := &row[i]
			if b.CopyText != nil && b.CopyText.Text == "" {
				b.CopyText = nil
			}
			nullToEmpty(&b.WebApp, &b.LoginURL, &b.SwitchInlineQueryChosenChat, &b.CallbackGame)
			if b.Text == "" {
				return nil, badRequest("can't parse inline keyboard button: Text must be non-empty")
			}
			if len(b.CallbackData) > maxCallbackData {
				return nil, badRequest("BUTTON_DATA_INVALID")
			}
			if !hasAction(b) {
				return nil, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
		}
		out = append(out, row)
	}
	return out, nil
}

func hasAction(b *InlineKeyboardButton) bool {
	return b.URL != "" || b.CallbackData != "" || b.WebApp != nil || b.LoginURL != nil ||
		b.SwitchInlineQuery != nil || b.SwitchInlineQueryCurrentChat != nil ||
		b.SwitchInlineQueryChosenChat != nil || b.CopyText != nil || b.CallbackGame != nil || b.Pay
}

// nullToEmpty drops raw fields that were JSON null, so they are omitted
// when the button is echoed back.
func nullToEmpty(fields ...*json.RawMessage) {
	for _, f := range fields {
		if bytes.Equal(*f, []byte("null")) {
			*f = nil
		}
	}
}

// hasCallbackButton reports whether the keyboard has a button with data.
func (m *InlineKeyboardMarkup) hasCallbackButton(data string) bool {
	if m == nil {
		return false
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != "" && b.CallbackData == data {
				return true
			}
		}
	}
	return false
}

// hasButton reports whether the reply keyboard offers a button with text.
func (k *ReplyKeyboardMarkup) hasButton(text string) bool {
	if k == nil {
		return false
	}
	for _, row := range k.Keyboard {
		for _, b := range row {
			if b.Text == text {
				return true
			}
		}
	}
	return false
}
