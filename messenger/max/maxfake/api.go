package maxfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

func (f *Fake) getMe(*http.Request, []byte) (any, *apiError) {
	b := f.bot
	b.LastActivityTime = f.clock.Now().UnixMilli()
	return b, nil
}

// newMessageBody is NewMessageBody as the fake reads it.
type newMessageBody struct {
	Text        *string           `json:"text"`
	Format      *string           `json:"format"`
	Attachments []json.RawMessage `json:"attachments"`
	Notify      *bool             `json:"notify"`
}

// The limits MAX enforces on a new message (the specification's, and its keyboard guide's).
const (
	maxTextLength    = 4000
	maxPayloadLength = 1024
	maxURLLength     = 2048
	maxButtonText    = 128
	maxButtons       = 210
	maxRows          = 30
	maxRowButtons    = 7
	maxRowWide       = 3
)

// wideButtons take more room in a row: MAX allows 3 of a row that holds one.
var wideButtons = map[string]bool{"link": true, "open_app": true, "request_geo_location": true, "request_contact": true}

var buttonTypes = map[string]bool{"callback": true, "link": true, "request_contact": true,
	"request_geo_location": true, "open_app": true, "message": true, "clipboard": true}

// readMessage checks a new message as MAX does and returns its text, format and attachments.
func readMessage(body []byte) (text, format string, atts []Attachment, aerr *apiError) {
	var in newMessageBody
	if err := json.Unmarshal(body, &in); err != nil {
		return "", "", nil, badRequest("cannot parse the body: " + err.Error())
	}
	if in.Text != nil {
		text = *in.Text
	}
	if n := utf8.RuneCountInString(text); n > maxTextLength {
		return "", "", nil, badRequest(fmt.Sprintf("text: size must be between 0 and %d, got %d", maxTextLength, n))
	}
	if in.Format != nil {
		if *in.Format != "html" && *in.Format != "markdown" {
			return "", "", nil, badRequest("format: unknown value " + strconv.Quote(*in.Format))
		}
		format = *in.Format
	}
	for _, raw := range in.Attachments {
		var a Attachment
		if err := json.Unmarshal(raw, &a); err != nil {
			return "", "", nil, badRequest("attachments: " + err.Error())
		}
		if a.Type != "inline_keyboard" {
			return "", "", nil, badRequest("attachments: the fake takes only inline_keyboard, not " + strconv.Quote(a.Type))
		}
		if aerr := checkKeyboard(a.Payload); aerr != nil {
			return "", "", nil, aerr
		}
		atts = append(atts, a)
	}
	if text == "" && len(atts) == 0 {
		return "", "", nil, badRequest("text: the message is empty")
	}
	return text, format, atts, nil
}

func checkKeyboard(payload json.RawMessage) *apiError {
	var p struct {
		Buttons [][]Button `json:"buttons"`
	}
	if err := json.Unmarshal(payload, &p); err != nil || len(p.Buttons) == 0 {
		return badRequest("inline_keyboard: payload.buttons is required")
	}
	if len(p.Buttons) > maxRows {
		return badRequest(fmt.Sprintf("inline_keyboard: %d rows, at most %d", len(p.Buttons), maxRows))
	}
	total := 0
	for i, row := range p.Buttons {
		wide := 0
		for j, b := range row {
			at := fmt.Sprintf("inline_keyboard: button [%d][%d]", i, j)
			switch {
			case !buttonTypes[b.Type]:
				return badRequest(at + ": unknown type " + strconv.Quote(b.Type))
			case b.Text == "" || utf8.RuneCountInString(b.Text) > maxButtonText:
				return badRequest(fmt.Sprintf("%s: text must be 1-%d characters", at, maxButtonText))
			case b.Type == "callback" && utf8.RuneCountInString(b.Payload) > maxPayloadLength:
				return badRequest(fmt.Sprintf("%s: payload is longer than %d", at, maxPayloadLength))
			case b.Type == "link" && (b.URL == "" || utf8.RuneCountInString(b.URL) > maxURLLength):
				return badRequest(fmt.Sprintf("%s: url must be 1-%d characters", at, maxURLLength))
			}
			if wideButtons[b.Type] {
				wide++
			}
		}
		switch {
		case len(row) == 0:
			return badRequest(fmt.Sprintf("inline_keyboard: row %d is empty", i))
		case len(row) > maxRowButtons:
			return badRequest(fmt.Sprintf("inline_keyboard: row %d has %d buttons, at most %d", i, len(row), maxRowButtons))
		case wide > 0 && len(row) > maxRowWide:
			return badRequest(fmt.Sprintf("inline_keyboard: row %d has %d buttons with a link or a request, at most %d", i, len(row), maxRowWide))
		}
		total += len(row)
	}
	if total > maxButtons {
		return badRequest(fmt.Sprintf("inline_keyboard: %d buttons, at most %d", total, maxButtons))
	}
	return nil
}

func (f *Fake) sendMessage(r *http.Request, body []byte) (any, *apiError) {
	q := r.URL.Query()
	chatID, errC := strconv.ParseInt(q.Get("chat_id"), 10, 64)
	userID, errU := strconv.ParseInt(q.Get("user_id"), 10, 64)
	if (errC == nil) == (errU == nil) {
		return nil, badRequest("exactly one of chat_id and user_id is required")
	}
	text, format, atts, aerr := readMessage(body)
	if aerr != nil {
		return nil, aerr
	}
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	var c *chat
	if errC == nil {
		c = f.chats[chatID]
	} else if u := f.users[userID]; u != nil {
		c = f.chats[u.ChatID]
	}
	switch {
	case c == nil:
		return nil, errChatNotFound
	case c.stopped:
		return nil, errDenied
	}
	bot := f.bot
	m := f.appendLocked(c, &bot, text, atts, now)
	m.Format = format
	c.history[len(c.history)-1].Format = format
	c.botSent++
	f.events.Publish(Event{Kind: EventMessage, ChatID: c.id, Message: m, Time: now})
	f.stateSig.Notify()
	return map[string]any{"message": m}, nil
}

// appendLocked adds a message from sender (the bot or the chat's user) to c.
func (f *Fake) appendLocked(c *chat, sender *User, text string, atts []Attachment, now time.Time) Message {
	c.seq++
	uid := c.userID // the bot writes to the user, the user to the bot
	if !sender.IsBot {
		uid = f.bot.UserID
	}
	m := Message{
		Sender:    sender,
		Recipient: Recipient{ChatID: c.id, ChatType: "dialog", UserID: &uid},
		Timestamp: now.UnixMilli(),
		Body: MessageBody{Mid: fmt.Sprintf("mid.%016x%016x", c.id, c.seq), Seq: c.seq, Text: text,
			Attachments: atts},
	}
	c.history = append(c.history, m)
	return m
}

func (f *Fake) answer(r *http.Request, body []byte) (any, *apiError) {
	id := r.URL.Query().Get("callback_id")
	var in struct {
		Notification *string         `json:"notification"`
		Message      json.RawMessage `json:"message"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("cannot parse the body: " + err.Error())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	cb := f.callbacks[id]
	if cb == nil {
		return nil, &apiError{Status: http.StatusNotFound, Code: "not.found", Message: "Callback not found"}
	}
	a := CallbackAnswer{CallbackID: id, UserID: cb.userID}
	if in.Notification != nil {
		a.Notification = *in.Notification
	}
	f.answers = append(f.answers, a)
	f.stateSig.Notify()
	return map[string]bool{"success": true}, nil
}

func (f *Fake) chatAction(r *http.Request, body []byte) (any, *apiError) {
	chatID, _ := strconv.ParseInt(r.PathValue("chatId"), 10, 64)
	var in struct {
		Action string `json:"action"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("cannot parse the body: " + err.Error())
	}
	switch in.Action {
	case "typing_on", "sending_photo", "sending_video", "sending_audio", "sending_file":
	default:
		return nil, badRequest("action: unknown value " + strconv.Quote(in.Action))
	}
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.chats[chatID]
	switch {
	case c == nil:
		return nil, errChatNotFound
	case c.stopped:
		return nil, errDenied
	}
	c.actions = append(c.actions, ChatAction{Action: in.Action, At: now.UnixMilli()})
	f.events.Publish(Event{Kind: EventChatAction, ChatID: chatID, Action: in.Action, Time: now})
	f.stateSig.Notify()
	return map[string]bool{"success": true}, nil
}
