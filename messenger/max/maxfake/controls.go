package maxfake

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dozvon/messenger/fakekit"
)

// Errors of the user-side controls.
var (
	ErrUnknownUser   = errors.New("maxfake: unknown user")
	ErrBotStopped    = errors.New("maxfake: the user has stopped the bot")
	ErrNoDialog      = errors.New("maxfake: the user has not started the bot")
	ErrNoSuchMessage = errors.New("maxfake: no such message in the dialog")
	ErrNoSuchButton  = errors.New("maxfake: the message has no such button")
	ErrEmptyText     = errors.New("maxfake: the text is empty")
	ErrTextTooLong   = errors.New("maxfake: the text is longer than 4000 characters")
	ErrNoPhone       = errors.New("maxfake: no phone number to share")
	ErrPayloadLong   = errors.New("maxfake: a deep link's payload longer than 512 characters is dropped by MAX")
)

// AddUser registers a user who may then start the bot. A zero UserID is assigned; the dialog's chat id is
// assigned too (MAX numbers dialogs apart from users). The user is returned as stored.
func (f *Fake) AddUser(u User) User {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u.UserID == 0 {
		for f.users[f.nextUserID+1] != nil {
			f.nextUserID++
		}
		f.nextUserID++
		u.UserID = f.nextUserID
	}
	if old := f.users[u.UserID]; old != nil {
		u.ChatID = old.ChatID
	} else {
		f.userOrder = append(f.userOrder, u.UserID)
	}
	if u.ChatID == 0 {
		f.nextChatID++
		u.ChatID = f.nextChatID
	}
	if u.FirstName == "" {
		u.FirstName = "User " + strconv.FormatInt(u.UserID, 10)
	}
	u.IsBot = false
	u.Name = strings.TrimSpace(u.FirstName + " " + u.LastName)
	stored := u
	f.users[u.UserID] = &stored
	f.stateSig.Notify()
	return u
}

// RestoreChat brings back a user and their open dialog without a word to the bot (no update): the simulator
// calls it at start for every chat its database knows. u.UserID and u.ChatID are required; stopped restores a
// user who had stopped the bot.
func (f *Fake) RestoreChat(u User, stopped bool) (User, error) {
	if u.UserID <= 0 || u.ChatID <= 0 {
		return User{}, errors.New("maxfake: a restored chat needs the user's and the chat's ids")
	}
	u = f.AddUser(u)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.chats[u.ChatID] == nil {
		f.chats[u.ChatID] = &chat{id: u.ChatID, userID: u.UserID, stopped: stopped, seq: f.opts.SeqBase}
	}
	return u, nil
}

// User returns a registered user.
func (f *Fake) User(userID int64) (User, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u := f.users[userID]; u != nil {
		return *u, true
	}
	return User{}, false
}

// Users returns the users in the order they were added.
func (f *Fake) Users() []User {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]User, 0, len(f.userOrder))
	for _, id := range f.userOrder {
		out = append(out, *f.users[id])
	}
	return out
}

// Start is the user opening the bot, by its Start button or through a deep link
// https://max.ru/<bot>?start=<payload>: the bot receives bot_started with the payload. A user who had stopped the
// bot starts it again this way.
func (f *Fake) Start(userID int64, payload string) (Update, error) {
	if utf8.RuneCountInString(payload) > 512 {
		return Update{}, ErrPayloadLong
	}
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[userID]
	if u == nil {
		return Update{}, ErrUnknownUser
	}
	c := f.chats[u.ChatID]
	if c == nil {
		c = &chat{id: u.ChatID, userID: userID, seq: f.opts.SeqBase}
		f.chats[c.id] = c
	}
	c.stopped = false
	upd := Update{UpdateType: "bot_started", Timestamp: now.UnixMilli(), ChatID: c.id, User: f.userLocked(u, now),
		UserLocale: "ru"}
	if payload != "" {
		upd.Payload = &payload
	}
	return f.enqueueLocked(upd), nil
}

// userLocked is u as an update shows it.
func (f *Fake) userLocked(u *User, now time.Time) *User {
	c := *u
	c.LastActivityTime = now.UnixMilli()
	return &c
}

// SendText is the user writing text to the bot.
func (f *Fake) SendText(userID int64, text string) (Update, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return Update{}, ErrEmptyText
	case utf8.RuneCountInString(text) > maxTextLength:
		return Update{}, ErrTextTooLong
	}
	return f.userMessage(userID, text, nil)
}

// ShareContact is the user sharing their own contact through a request_contact button: a vCard with the phone
// (the user's Phone when phone is empty), max_info naming the user, and the hash MAX signs it with
// (hex HMAC-SHA256 of the vCard keyed by the bot's token).
func (f *Fake) ShareContact(userID int64, phone string) (Update, error) {
	f.mu.Lock()
	u := f.users[userID]
	f.mu.Unlock()
	if u == nil {
		return Update{}, ErrUnknownUser
	}
	if phone == "" {
		phone = u.Phone
	}
	if phone == "" {
		return Update{}, ErrNoPhone
	}
	return f.shareContact(userID, u, phone, true)
}

// ShareForeignContact is the user sending someone else's contact by hand: max_info names otherUserID (0: a
// contact not on MAX, no max_info) and nothing signs it.
func (f *Fake) ShareForeignContact(userID int64, phone string, otherUserID int64) (Update, error) {
	if phone == "" {
		return Update{}, ErrNoPhone
	}
	f.mu.Lock()
	other := f.users[otherUserID]
	f.mu.Unlock()
	if otherUserID != 0 && other == nil {
		other = &User{UserID: otherUserID, FirstName: "Contact"}
	}
	return f.shareContact(userID, other, phone, false)
}

func (f *Fake) shareContact(userID int64, who *User, phone string, signed bool) (Update, error) {
	name := "Contact"
	if who != nil {
		name = strings.TrimSpace(who.FirstName + " " + who.LastName)
	}
	vcf := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + name + "\r\nTEL;TYPE=cell:" + phone + "\r\nEND:VCARD"
	p := map[string]any{"vcf_info": vcf}
	if who != nil {
		p["max_info"] = who
	}
	if signed {
		mac := hmac.New(sha256.New, []byte(f.opts.Token))
		mac.Write([]byte(vcf))
		p["hash"] = hex.EncodeToString(mac.Sum(nil))
	}
	raw, _ := json.Marshal(p)
	return f.userMessage(userID, "", []Attachment{{Type: "contact", Payload: raw}})
}

// ShareLocation is the user sending a place.
func (f *Fake) ShareLocation(userID int64, latitude, longitude float64) (Update, error) {
	return f.userMessage(userID, "", []Attachment{{Type: "location", Latitude: &latitude, Longitude: &longitude}})
}

// userMessage is a message from the user in their dialog, queued as message_created.
func (f *Fake) userMessage(userID int64, text string, atts []Attachment) (Update, error) {
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	u, c, err := f.openDialogLocked(userID, ErrNoDialog)
	if err != nil {
		return Update{}, err
	}
	m := f.appendLocked(c, f.userLocked(u, now), text, atts, now)
	f.events.Publish(Event{Kind: EventMessage, ChatID: c.id, Message: m, Time: now})
	return f.enqueueLocked(Update{UpdateType: "message_created", Timestamp: now.UnixMilli(), Message: &m,
		UserLocale: "ru"}), nil
}

// openDialogLocked is the user and their dialog with the bot, open: ErrUnknownUser for a user never added,
// noDialog for one who never started the bot, ErrBotStopped for one who stopped it.
func (f *Fake) openDialogLocked(userID int64, noDialog error) (*User, *chat, error) {
	u := f.users[userID]
	if u == nil {
		return nil, nil, ErrUnknownUser
	}
	c := f.chats[u.ChatID]
	switch {
	case c == nil:
		return nil, nil, noDialog
	case c.stopped:
		return nil, nil, ErrBotStopped
	}
	return u, c, nil
}

// PressButton is the user pressing the callback button with payload under the bot's message mid: the bot
// receives message_callback, whose callback_id POST /answers takes.
func (f *Fake) PressButton(userID int64, mid, payload string) (Update, error) {
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	u, c, err := f.openDialogLocked(userID, ErrNoSuchMessage)
	if err != nil {
		return Update{}, err
	}
	i := slices.IndexFunc(c.history, func(m Message) bool { return m.Body.Mid == mid })
	if i < 0 {
		return Update{}, ErrNoSuchMessage
	}
	m := c.history[i]
	found := false
	for _, row := range m.Keyboard() {
		for _, b := range row {
			found = found || b.Type == "callback" && b.Payload == payload
		}
	}
	if !m.FromBot() || !found {
		return Update{}, ErrNoSuchButton
	}
	f.cbSeq++
	id := "cb." + strconv.FormatInt(7_000_000_000_000+f.cbSeq, 36)
	f.callbacks[id] = &callbackState{userID: userID, chatID: c.id, mid: mid, payload: payload}
	shown := m
	return f.enqueueLocked(Update{UpdateType: "message_callback", Timestamp: now.UnixMilli(), Message: &shown,
		Callback:   &Callback{Timestamp: now.UnixMilli(), CallbackID: id, Payload: payload, User: *f.userLocked(u, now)},
		UserLocale: "ru"}), nil
}

// StopBot is the user stopping the bot in its settings: the bot receives bot_stopped, and writing to the user
// gets 403 chat.denied until they start it again. Stopping twice does nothing and returns the zero Update.
func (f *Fake) StopBot(userID int64) (Update, error) { return f.stop(userID, false) }

// DeleteDialog is the user deleting the dialog: MAX stops the bot too, and sends bot_stopped and dialog_removed;
// the second is returned.
func (f *Fake) DeleteDialog(userID int64) (Update, error) { return f.stop(userID, true) }

func (f *Fake) stop(userID int64, remove bool) (Update, error) {
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[userID]
	if u == nil {
		return Update{}, ErrUnknownUser
	}
	c := f.chats[u.ChatID]
	if c == nil {
		return Update{}, ErrNoDialog
	}
	var upd Update
	if !c.stopped {
		c.stopped = true
		upd = f.enqueueLocked(Update{UpdateType: "bot_stopped", Timestamp: now.UnixMilli(), ChatID: c.id,
			User: f.userLocked(u, now), UserLocale: "ru"})
	}
	if remove {
		c.history = nil
		upd = f.enqueueLocked(Update{UpdateType: "dialog_removed", Timestamp: now.UnixMilli(), ChatID: c.id,
			User: f.userLocked(u, now), UserLocale: "ru"})
	}
	return upd, nil
}

// QueueRaw queues any JSON as an update, sent as it is: for updates the controls do not make (new types, odd
// shapes).
func (f *Fake) QueueRaw(raw json.RawMessage) Update {
	f.mu.Lock()
	defer f.mu.Unlock()
	var head struct {
		UpdateType string `json:"update_type"`
	}
	_ = json.Unmarshal(raw, &head)
	return f.enqueueLocked(Update{UpdateType: head.UpdateType, Raw: slices.Clone(raw)})
}

// ForgetChat makes the dialog unknown to MAX, as if never started: sending to it gets 404 chat.not.found.
func (f *Fake) ForgetChat(chatID int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.chats, chatID)
	f.stateSig.Notify()
}

// --- what the bot did ---

// Sent returns the dialog's history, the user's and the bot's messages in order.
func (f *Fake) Sent(chatID int64) []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.chats[chatID]; c != nil {
		return slices.Clone(c.history)
	}
	return nil
}

// BotMessages returns the bot's messages in every dialog, by dialog and in order within each.
func (f *Fake) BotMessages() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := make([]int64, 0, len(f.chats))
	for id := range f.chats {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []Message
	for _, id := range ids {
		for _, m := range f.chats[id].history {
			if m.FromBot() {
				out = append(out, m)
			}
		}
	}
	return out
}

// Stopped tells whether the user has stopped the bot.
func (f *Fake) Stopped(userID int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[userID]
	return u != nil && f.chats[u.ChatID] != nil && f.chats[u.ChatID].stopped
}

// Actions returns the actions (typing_on ...) the bot sent to the dialog.
func (f *Fake) Actions(chatID int64) []ChatAction {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.chats[chatID]; c != nil {
		return slices.Clone(c.actions)
	}
	return nil
}

// Answers returns the bot's POST /answers in order.
func (f *Fake) Answers() []CallbackAnswer {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.answers)
}

// Calls returns how many requests a route ("POST /messages") received, refused ones included.
func (f *Fake) Calls(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[route]
}

// Requests returns the request log, oldest first.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// WaitSent blocks until the bot has sent at least n messages to the dialog and returns its history.
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

// WaitUntil blocks until cond is true, checking it after every change of the fake's state; cond runs without the
// fake's lock, so it may call the fake.
func (f *Fake) WaitUntil(ctx context.Context, cond func() bool) error {
	return fakekit.WaitUntil(ctx, f.nextChange, cond, errClosed)
}

// nextChange is the channel the next change of the fake's state closes, and whether the fake is closed.
func (f *Fake) nextChange() (<-chan struct{}, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stateSig.Wait(), f.closed
}
