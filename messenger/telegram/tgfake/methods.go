package tgfake

import (
	"context"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"
)

// This file implements the Bot API methods that are not about receiving
// updates (those live in updates.go). Each method validates its parameters
// before taking f.mu, so the lock covers only the state change.

type botInfo struct {
	User
	CanJoinGroups           bool `json:"can_join_groups"`
	CanReadAllGroupMessages bool `json:"can_read_all_group_messages"`
	SupportsInlineQueries   bool `json:"supports_inline_queries"`
	CanConnectToBusiness    bool `json:"can_connect_to_business"`
	HasMainWebApp           bool `json:"has_main_web_app"`
}

func (f *Fake) getMe(context.Context, params) (any, *apiError) {
	return botInfo{User: f.bot, CanJoinGroups: true}, nil
}

func (f *Fake) sendMessage(_ context.Context, p params) (any, *apiError) {
	chatID, aerr := p.chatID()
	if aerr != nil {
		return nil, aerr
	}
	text, entities, aerr := formatText(p["text"], p["parse_mode"], p["entities"])
	if aerr != nil {
		return nil, aerr
	}
	markup, aerr := parseReplyMarkupCached(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	replyTo, allowWithoutReply, aerr := replyTarget(p)
	if aerr != nil {
		return nil, aerr
	}
	paid := p.bool("allow_paid_broadcast")
	now := f.clock.Now()

	f.mu.Lock()
	defer f.mu.Unlock()
	c, aerr := f.botChatLocked(chatID)
	if aerr != nil {
		return nil, aerr
	}
	var reply *Message
	if replyTo != 0 {
		if _, orig := c.find(replyTo); orig != nil {
			r := *orig
			r.ReplyToMessage = nil // Telegram nests replies one level deep only
			reply = &r
		} else if !allowWithoutReply {
			return nil, badRequest("message to be replied not found")
		}
	}
	if aerr := f.flood.admit(c, paid, now); aerr != nil {
		f.stateSig.Notify()
		return nil, aerr
	}
	m := &Message{
		From:           &f.bot,
		Chat:           f.chatObjectLocked(c),
		Date:           now.Unix(),
		ReplyToMessage: reply,
		Text:           text,
		Entities:       entities,
		ReplyMarkup:    markup.inline,
		ReplyKeyboard:  markup.keyboard,
		RemoveKeyboard: markup.remove,
		ParseMode:      p["parse_mode"],
		PaidBroadcast:  paid,
	}
	switch {
	case markup.keyboard != nil:
		c.keyboard = markup.keyboard
	case markup.remove:
		c.keyboard = nil
	}
	c.botSent++
	f.appendMessageLocked(c, m, now)
	return m, nil
}

// replyTarget reads reply_parameters, or the legacy reply_to_message_id
// that Telegram still accepts.
func replyTarget(p params) (id int, allowWithout bool, aerr *apiError) {
	if !p.has("reply_parameters") { // spares decoding into a heap-allocated struct on every sendMessage
		return p.int("reply_to_message_id", 0), p.bool("allow_sending_without_reply"), nil
	}
	var rp struct {
		MessageID                int  `json:"message_id"`
		AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
	}
	if ok, err := p.json("reply_parameters", &rp); err != nil {
		return 0, false, badRequest("can't parse reply parameters JSON object")
	} else if ok {
		return rp.MessageID, rp.AllowSendingWithoutReply, nil
	}
	return p.int("reply_to_message_id", 0), p.bool("allow_sending_without_reply"), nil
}

const errNotModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

func (f *Fake) editMessageText(_ context.Context, p params) (any, *apiError) {
	chatID, aerr := p.chatID()
	if aerr != nil {
		return nil, aerr
	}
	msgID, aerr := p.messageID()
	if aerr != nil {
		return nil, aerr
	}
	text, entities, aerr := formatText(p["text"], p["parse_mode"], p["entities"])
	if aerr != nil {
		return nil, aerr
	}
	inline, aerr := inlineMarkupParam(p)
	if aerr != nil {
		return nil, aerr
	}
	return f.editMessage(chatID, msgID, func(m *Message) bool {
		if m.Text == text && reflect.DeepEqual(m.Entities, entities) && reflect.DeepEqual(m.ReplyMarkup, inline) {
			return false
		}
		// Like Telegram, an edit without reply_markup removes the keyboard.
		m.Text, m.Entities, m.ReplyMarkup, m.ParseMode = text, entities, inline, p["parse_mode"]
		return true
	})
}

func (f *Fake) editMessageReplyMarkup(_ context.Context, p params) (any, *apiError) {
	chatID, aerr := p.chatID()
	if aerr != nil {
		return nil, aerr
	}
	msgID, aerr := p.messageID()
	if aerr != nil {
		return nil, aerr
	}
	inline, aerr := inlineMarkupParam(p)
	if aerr != nil {
		return nil, aerr
	}
	return f.editMessage(chatID, msgID, func(m *Message) bool {
		if reflect.DeepEqual(m.ReplyMarkup, inline) {
			return false
		}
		m.ReplyMarkup = inline
		return true
	})
}

// inlineMarkupParam parses reply_markup for edits, which only take inline
// keyboards.
func inlineMarkupParam(p params) (*InlineKeyboardMarkup, *apiError) {
	rm, aerr := parseReplyMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	if rm.keyboard != nil || rm.remove || rm.forceReply {
		return nil, badRequest("inline keyboard expected")
	}
	return rm.inline, nil
}

// editMessage applies change to a copy of a bot message and swaps it in:
// messages are never mutated in place, so copies handed out stay valid.
func (f *Fake) editMessage(chatID int64, msgID int, change func(*Message) bool) (any, *apiError) {
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	c, aerr := f.botChatLocked(chatID)
	if aerr != nil {
		return nil, aerr
	}
	i, m := c.find(msgID)
	if m == nil {
		return nil, badRequest("message to edit not found")
	}
	if !m.FromBot() {
		return nil, badRequest("message can't be edited")
	}
	edited := *m
	if !change(&edited) {
		return nil, badRequest(errNotModified)
	}
	edited.EditDate = now.Unix()
	c.history[i] = &edited
	f.stateSig.Notify()
	f.events.Publish(Event{Kind: EventEdit, ChatID: chatID, Message: edited, Time: now})
	return &edited, nil
}

func (f *Fake) deleteMessage(_ context.Context, p params) (any, *apiError) {
	chatID, aerr := p.chatID()
	if aerr != nil {
		return nil, aerr
	}
	msgID, aerr := p.messageID()
	if aerr != nil {
		return nil, aerr
	}
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.chats[chatID]
	if c == nil {
		return nil, errChatNotFound
	}
	i, m := c.find(msgID)
	if m == nil {
		return nil, badRequest("message to delete not found")
	}
	c.history = slices.Delete(c.history, i, i+1)
	f.stateSig.Notify()
	f.events.Publish(Event{Kind: EventDelete, ChatID: chatID, Message: *m, Time: now})
	return true, nil
}

func (f *Fake) answerCallbackQuery(_ context.Context, p params) (any, *apiError) {
	id := p["callback_query_id"]
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	cq := f.callbacks[id]
	if cq == nil || cq.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	cq.answered = true
	f.answers = append(f.answers, CallbackAnswer{
		QueryID:   id,
		UserID:    cq.userID,
		MessageID: cq.messageID,
		Data:      cq.data,
		Text:      p["text"],
		ShowAlert: p.bool("show_alert"),
		URL:       p["url"],
		CacheTime: p.int("cache_time", 0),
		Time:      now,
	})
	f.stateSig.Notify()
	return true, nil
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true,
	"choose_sticker": true, "find_location": true, "record_video_note": true,
	"upload_video_note": true,
}

func (f *Fake) sendChatAction(_ context.Context, p params) (any, *apiError) {
	chatID, aerr := p.chatID()
	if aerr != nil {
		return nil, aerr
	}
	action := p["action"]
	if !chatActions[action] {
		return nil, badRequest("wrong parameter action in request")
	}
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	c, aerr := f.botChatLocked(chatID)
	if aerr != nil {
		return nil, aerr
	}
	c.actions = append(c.actions, ChatAction{Action: action, Time: now})
	f.stateSig.Notify()
	f.events.Publish(Event{Kind: EventChatAction, ChatID: chatID, Action: action, Time: now})
	return true, nil
}

var commandNameRe = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// commandsKey identifies a command list by scope and language, as Telegram
// keeps one list per (scope, language_code) pair.
func commandsKey(p params) (string, *apiError) {
	var scope struct {
		Type   string `json:"type"`
		ChatID any    `json:"chat_id"`
		UserID int64  `json:"user_id"`
	}
	if _, err := p.json("scope", &scope); err != nil {
		return "", badRequest("can't parse BotCommandScope JSON object")
	}
	if scope.Type == "" {
		scope.Type = "default"
	}
	key := scope.Type
	if scope.ChatID != nil {
		key += "/chat=" + toString(scope.ChatID)
	}
	if scope.UserID != 0 {
		key += "/user=" + strconv.FormatInt(scope.UserID, 10)
	}
	return key + "/lang=" + p["language_code"], nil
}

func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func (f *Fake) setMyCommands(_ context.Context, p params) (any, *apiError) {
	var cmds []BotCommand
	ok, err := p.json("commands", &cmds)
	if !ok {
		return nil, badRequest(`parameter "commands" is required`)
	}
	if err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands specified")
	}
	for _, c := range cmds {
		if !commandNameRe.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(c.Description); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	key, aerr := commandsKey(p)
	if aerr != nil {
		return nil, aerr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(cmds) == 0 {
		delete(f.commands, key)
	} else {
		f.commands[key] = cmds
	}
	f.stateSig.Notify()
	return true, nil
}

func (f *Fake) getMyCommands(_ context.Context, p params) (any, *apiError) {
	key, aerr := commandsKey(p)
	if aerr != nil {
		return nil, aerr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	cmds := f.commands[key]
	if cmds == nil {
		return []BotCommand{}, nil
	}
	return slices.Clone(cmds), nil
}

func (f *Fake) deleteMyCommands(_ context.Context, p params) (any, *apiError) {
	key, aerr := commandsKey(p)
	if aerr != nil {
		return nil, aerr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.commands, key)
	f.stateSig.Notify()
	return true, nil
}

// closeMethod and logOut only acknowledge: they matter for moving a bot
// between Bot API servers, which a fake has no notion of.
func (f *Fake) closeMethod(context.Context, params) (any, *apiError) { return true, nil }
func (f *Fake) logOut(context.Context, params) (any, *apiError)      { return true, nil }

// --- chat helpers, all called with f.mu held ---

// botChatLocked returns the chat the bot may write to: it must exist (the
// user has talked to the bot) and the user must not have blocked the bot.
func (f *Fake) botChatLocked(chatID int64) (*chat, *apiError) {
	c := f.chats[chatID]
	if c == nil {
		return nil, errChatNotFound
	}
	if c.blocked {
		return nil, errBlocked
	}
	return c, nil
}

func (f *Fake) chatObjectLocked(c *chat) Chat {
	u := f.users[c.userID]
	return Chat{ID: u.ID, Type: "private", FirstName: u.FirstName, LastName: u.LastName, Username: u.Username}
}

// find returns a message and its index; history is ordered by MessageID.
func (c *chat) find(id int) (int, *Message) {
	i := sort.Search(len(c.history), func(i int) bool { return c.history[i].MessageID >= id })
	if i < len(c.history) && c.history[i].MessageID == id {
		return i, c.history[i]
	}
	return -1, nil
}

// appendMessageLocked numbers m, adds it to the chat and tells waiters and
// subscribers.
func (f *Fake) appendMessageLocked(c *chat, m *Message, now time.Time) {
	f.msgSeq++
	m.seq = f.msgSeq
	c.nextMsgID++
	m.MessageID = c.nextMsgID
	c.history = append(c.history, m)
	if limit := f.opts.HistoryLimit; limit > 0 && len(c.history) > limit {
		// Re-slicing from the front keeps this O(1); append reallocates
		// (copying only live entries) once capacity runs out.
		c.history = c.history[len(c.history)-limit:]
	}
	f.stateSig.Notify()
	f.events.Publish(Event{Kind: EventMessage, ChatID: m.Chat.ID, Message: *m, Time: now})
}
