package tgfake

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dozvon/messenger/fakekit"
)

// Errors returned by the user-side controls.
var (
	ErrUnknownUser   = errors.New("tgfake: unknown user")
	ErrBotBlocked    = errors.New("tgfake: the user has blocked the bot")
	ErrNoSuchMessage = errors.New("tgfake: no such message in the chat")
	ErrNoSuchButton  = errors.New("tgfake: the message has no such button")
	ErrEmptyText     = errors.New("tgfake: message text is empty")
	ErrTextTooLong   = errors.New("tgfake: message text is too long")
	ErrNoPhone       = errors.New("tgfake: no phone number to share")
	ErrNoUserID      = errors.New("tgfake: a restored chat needs the user's ID")
)

// callbackIDBase makes callback query IDs look like Telegram's long
// numeric strings, so code that stores them is exercised realistically.
const callbackIDBase = 4_000_000_000_000_000_000

type callbackState struct {
	userID    int64
	messageID int
	data      string
	answered  bool
}

// --- users ---

// AddUser registers a user who can then talk to the bot. A zero ID is
// assigned automatically; adding an existing ID replaces that user's
// profile. The user is returned as stored.
func (f *Fake) AddUser(u User) User {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u.ID == 0 {
		for {
			f.nextUserID++
			if f.users[f.nextUserID] == nil {
				break
			}
		}
		u.ID = f.nextUserID
	}
	u = f.storeUserLocked(u)
	f.stateSig.Notify()
	return u
}

// storeUserLocked adds or replaces the profile of u, whose ID is set.
func (f *Fake) storeUserLocked(u User) User {
	u.IsBot = false
	if u.FirstName == "" {
		u.FirstName = "User " + strconv.FormatInt(u.ID, 10) // Telegram requires a first name
	}
	if f.users[u.ID] == nil {
		f.userOrder = append(f.userOrder, u.ID)
	}
	stored := u // stored users are replaced, never mutated, like messages
	f.users[u.ID] = &stored
	return u
}

// RestoreChat brings back a user and their open chat with the bot without a
// word to the bot: no update is queued and no Event is published, since
// nothing happened on the user's side. A Fake keeps nothing across a
// restart; the simulator calls this at start for every chat its database
// knows, so the bot can write to those chats again and people can go on
// playing those users. u.ID is required: it is the chat's ID. blocked
// restores a user who had blocked the bot. The history starts empty; a chat
// the Fake already has keeps its history and state, only the profile is
// replaced.
func (f *Fake) RestoreChat(u User, blocked bool) (User, error) {
	if u.ID <= 0 {
		return User{}, ErrNoUserID
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u = f.storeUserLocked(u)
	if f.chats[u.ID] == nil {
		f.chats[u.ID] = &chat{userID: u.ID, blocked: blocked}
	}
	f.stateSig.Notify()
	return u, nil
}

// User returns a registered user.
func (f *Fake) User(id int64) (User, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[id]
	if u == nil {
		return User{}, false
	}
	return *u, true
}

// Users returns all registered users in the order they were added.
func (f *Fake) Users() []User {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]User, 0, len(f.userOrder))
	for _, id := range f.userOrder {
		out = append(out, *f.users[id])
	}
	return out
}

// --- acting as a user ---

// SendText sends text from the user to the bot and returns the update the
// bot will receive. Commands in it get bot_command entities, as Telegram
// adds them. Like Telegram clients, surrounding whitespace is trimmed.
func (f *Fake) SendText(userID int64, text string) (Update, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Update{}, ErrEmptyText
	}
	if utf8.RuneCountInString(text) > MaxTextLength {
		return Update{}, ErrTextTooLong
	}
	return f.userMessage(userID, false, func(c *chat, m *Message) error {
		m.Text = text
		m.Entities = commandEntities(text)
		if c.keyboard.hasButton(text) {
			c.hideOneTimeKeyboard()
		}
		return nil
	})
}

// Start is the user pressing Start (or opening a t.me/<bot>?start=<payload>
// deep link): the bot receives "/start" or "/start <payload>". A user who
// had blocked the bot unblocks it this way, and the bot first receives a
// my_chat_member update (kicked → member), as in Telegram. The returned
// update is the /start message.
func (f *Fake) Start(userID int64, payload string) (Update, error) {
	text := "/start"
	if payload != "" {
		text += " " + payload
	}
	return f.userMessage(userID, true, func(_ *chat, m *Message) error {
		m.Text = text
		m.Entities = []MessageEntity{{Type: "bot_command", Offset: 0, Length: len("/start")}}
		return nil
	})
}

// ShareContact is the user sharing their own contact, e.g. through a
// request_contact keyboard button: contact.user_id is the user's ID. An
// empty phone shares the user's Phone. The number is passed through as
// given; real clients differ on whether it starts with "+".
func (f *Fake) ShareContact(userID int64, phone string) (Update, error) {
	return f.shareContact(userID, phone, userID)
}

// ShareForeignContact is the user sending someone else's contact (or a
// forged one): contact.user_id is otherUserID, which may be 0 for a contact
// not on Telegram. Bots that trust request_contact must check user_id.
func (f *Fake) ShareForeignContact(userID int64, phone string, otherUserID int64) (Update, error) {
	return f.shareContact(userID, phone, otherUserID)
}

func (f *Fake) shareContact(userID int64, phone string, contactUserID int64) (Update, error) {
	return f.userMessage(userID, false, func(c *chat, m *Message) error {
		owner := f.users[userID]
		contact := &Contact{PhoneNumber: phone, UserID: contactUserID}
		if contactUserID == userID {
			if contact.PhoneNumber == "" {
				contact.PhoneNumber = owner.Phone
			}
			contact.FirstName, contact.LastName = owner.FirstName, owner.LastName
		} else if other := f.users[contactUserID]; other != nil {
			contact.FirstName, contact.LastName = other.FirstName, other.LastName
		} else {
			contact.FirstName = "Contact"
		}
		if contact.PhoneNumber == "" {
			return ErrNoPhone
		}
		m.Contact = contact
		c.hideOneTimeKeyboard()
		return nil
	})
}

// userMessage creates a message from the user in their chat with the bot
// (opening the chat if needed) and queues it as an update. fill sets the
// content; an error from it aborts before anything is recorded.
func (f *Fake) userMessage(userID int64, unblock bool, fill func(*chat, *Message) error) (Update, error) {
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[userID]
	if u == nil {
		return Update{}, ErrUnknownUser
	}
	if c := f.chats[userID]; c != nil && c.blocked && !unblock {
		return Update{}, ErrBotBlocked
	}
	c := f.openChatLocked(userID)
	from := *u
	m := &Message{From: &from, Chat: f.chatObjectLocked(c), Date: now.Unix()}
	if err := fill(c, m); err != nil {
		return Update{}, err
	}
	if c.blocked {
		f.setBlockedLocked(c, false, now)
	}
	f.appendMessageLocked(c, m, now)
	return f.enqueueLocked(Update{Message: m}), nil
}

func (f *Fake) openChatLocked(userID int64) *chat {
	c := f.chats[userID]
	if c == nil {
		c = &chat{userID: userID}
		f.chats[userID] = c
	}
	return c
}

func (c *chat) hideOneTimeKeyboard() {
	if c.keyboard != nil && c.keyboard.OneTimeKeyboard {
		c.keyboard = nil
	}
}

// PressButton is the user pressing an inline button with callbackData on
// the bot's message messageID. It fails, as a real client could not do it,
// if the message does not exist or has no such button. The returned update
// carries the callback query; its ID is what answerCallbackQuery expects.
func (f *Fake) PressButton(userID int64, messageID int, callbackData string) (Update, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[userID]
	if u == nil {
		return Update{}, ErrUnknownUser
	}
	c := f.chats[userID]
	if c == nil {
		return Update{}, ErrNoSuchMessage
	}
	if c.blocked {
		return Update{}, ErrBotBlocked
	}
	_, m := c.find(messageID)
	if m == nil {
		return Update{}, ErrNoSuchMessage
	}
	if !m.FromBot() || !m.ReplyMarkup.hasCallbackButton(callbackData) {
		return Update{}, ErrNoSuchButton
	}
	f.callbackSeq++
	id := strconv.FormatInt(callbackIDBase+f.callbackSeq, 10)
	f.callbacks[id] = &callbackState{userID: userID, messageID: messageID, data: callbackData}
	shown := *m
	return f.enqueueLocked(Update{CallbackQuery: &CallbackQuery{
		ID:           id,
		From:         *u,
		Message:      &shown,
		ChatInstance: chatInstance(f.bot.ID, userID),
		Data:         callbackData,
	}}), nil
}

// chatInstance is a stable opaque identifier of the chat, like Telegram's.
func chatInstance(botID, chatID int64) string {
	return strconv.FormatInt(-(botID*7919 ^ chatID), 10)
}

// BlockBot is the user blocking the bot: the bot receives a my_chat_member
// update (member → kicked), and sending to the user gets 403 "Forbidden:
// bot was blocked by the user". Blocking twice does nothing and returns the
// zero Update.
func (f *Fake) BlockBot(userID int64) (Update, error) {
	return f.setBlocked(userID, true)
}

// UnblockBot is the user unblocking the bot without pressing Start: the bot
// receives my_chat_member (kicked → member). Start also unblocks.
func (f *Fake) UnblockBot(userID int64) (Update, error) {
	return f.setBlocked(userID, false)
}

// BlockUser is BlockBot, named for fault-injection call sites.
func (f *Fake) BlockUser(userID int64) (Update, error) { return f.BlockBot(userID) }

func (f *Fake) setBlocked(userID int64, blocked bool) (Update, error) {
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.users[userID] == nil {
		return Update{}, ErrUnknownUser
	}
	c := f.openChatLocked(userID)
	if c.blocked == blocked {
		return Update{}, nil
	}
	return f.setBlockedLocked(c, blocked, now), nil
}

func (f *Fake) setBlockedLocked(c *chat, blocked bool, now time.Time) Update {
	c.blocked = blocked
	var zero int64
	member := ChatMember{Status: "member", User: f.bot}
	kicked := ChatMember{Status: "kicked", User: f.bot, UntilDate: &zero}
	change := &ChatMemberUpdated{
		Chat:          f.chatObjectLocked(c),
		From:          *f.users[c.userID],
		Date:          now.Unix(),
		OldChatMember: member,
		NewChatMember: kicked,
	}
	if !blocked {
		change.OldChatMember, change.NewChatMember = kicked, member
	}
	return f.enqueueLocked(Update{MyChatMember: change})
}

// ForgetChat makes the chat unknown to the bot, as if the user had never
// started it: the bot's calls get 400 "Bad Request: chat not found" until
// the user writes again. The chat's history is discarded.
func (f *Fake) ForgetChat(chatID int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.chats, chatID)
	f.stateSig.Notify()
}

// --- reading what the bot did ---

// Sent returns the chat's history as the user's client shows it: the
// user's and the bot's messages in order, with edits applied and deleted
// messages removed. The messages are copies; treat nested values (From,
// ReplyMarkup, ...) as read-only.
func (f *Fake) Sent(chatID int64) []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.chats[chatID]
	if c == nil {
		return nil
	}
	return derefAll(c.history)
}

// BotMessages returns every message the bot has in any chat, in the order
// they were sent (edits applied, deleted ones removed).
func (f *Fake) BotMessages() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Message
	for _, c := range f.chats {
		for _, m := range c.history {
			if m.FromBot() {
				out = append(out, *m)
			}
		}
	}
	slices.SortFunc(out, func(a, b Message) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// Keyboard returns the reply keyboard the user currently sees in the chat,
// or nil. It changes when the bot sends a keyboard or removes it, and a
// one-time keyboard hides once the user uses it.
func (f *Fake) Keyboard(chatID int64) *ReplyKeyboardMarkup {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.chats[chatID]; c != nil {
		return c.keyboard
	}
	return nil
}

// Blocked reports whether the user has blocked the bot.
func (f *Fake) Blocked(userID int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.chats[userID]
	return c != nil && c.blocked
}

// ChatActions returns the chat actions (e.g. "typing") the bot sent.
func (f *Fake) ChatActions(chatID int64) []ChatAction {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.chats[chatID]; c != nil {
		return slices.Clone(c.actions)
	}
	return nil
}

// CallbackAnswers returns the bot's answerCallbackQuery calls in order.
func (f *Fake) CallbackAnswers() []CallbackAnswer {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.answers)
}

// Calls returns how many requests a Bot API method received, successful
// or not. The method name is case-insensitive, as in Telegram.
func (f *Fake) Calls(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[strings.ToLower(method)]
}

// Requests returns the request log, oldest first (at most
// Options.RequestLogSize entries). Entries are added when the response is
// written, so a long poll appears when it returns.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) < f.opts.RequestLogSize {
		return slices.Clone(f.requests)
	}
	return append(slices.Clone(f.requests[f.requestsNext:]), f.requests[:f.requestsNext]...)
}

// FloodRejections returns how many sendMessage calls flood control refused
// for going over a window (not counting those made during a flood wait).
func (f *Fake) FloodRejections() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.flood.rejects
}

// FloodWaitSends returns how many sendMessage calls came during a flood
// wait, which a client must never make: each was refused with 429 again.
func (f *Fake) FloodWaitSends() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.flood.waitSends
}

// FloodStats returns what flood control refused so far, per kind and per chat.
func (f *Fake) FloodStats() FloodStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.flood.stats.clone()
}

// Commands returns the bot's command menu for the default scope and the
// given language code ("" for all languages).
func (f *Fake) Commands(languageCode string) []BotCommand {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.commands["default/lang="+languageCode])
}

// WebhookURL returns the webhook URL, or "" in getUpdates mode.
func (f *Fake) WebhookURL() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.webhook.url
}

// PollOverlaps counts getUpdates requests that arrived while another was
// still in progress: two bot instances polling at once. Telegram ends the
// earlier one with 409 Conflict, and so does the fake.
func (f *Fake) PollOverlaps() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pollOverlaps
}

// --- waiting ---

// WaitSent blocks until the bot has sent at least n messages to the chat
// (counting ones since edited or deleted) and returns the chat's history.
func (f *Fake) WaitSent(ctx context.Context, chatID int64, n int) ([]Message, error) {
	err := f.WaitUntil(ctx, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		c := f.chats[chatID]
		return c != nil && c.botSent >= n
	})
	if err != nil {
		return nil, err
	}
	return f.Sent(chatID), nil
}

// WaitUntil blocks until cond returns true, re-checking it after every
// change to the fake's state (messages, updates, requests, ...). cond runs
// without the fake's lock held, so it may call the Fake's methods.
func (f *Fake) WaitUntil(ctx context.Context, cond func() bool) error {
	return fakekit.WaitUntil(ctx, f.nextChange, cond, errClosed)
}

// nextChange is the channel the next change of the fake's state closes, and whether the fake is closed.
func (f *Fake) nextChange() (<-chan struct{}, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stateSig.Wait(), f.closed
}

func derefAll(ms []*Message) []Message {
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = *m
	}
	return out
}
