package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"dozvon/messenger"
)

// Callback data the bot itself understands; campaign buttons carry their own.
const (
	CallbackOptOut = "optout"
)

// What the bot says on its own. The bank's clients are Russian businesses, so the bot speaks Russian.
const (
	textWelcomeLinked = "Здравствуйте! Вы на связи с банком. Здесь мы ответим на вопросы по вашей заявке — просто напишите."
	textWelcomeAsk    = "Здравствуйте! Чтобы мы нашли вашу заявку, поделитесь, пожалуйста, номером телефона кнопкой ниже."
	textPhoneLinked   = "Спасибо, номер подтверждён. Напишите здесь, если есть вопросы — мы ответим."
	textPhoneForeign  = "Пожалуйста, поделитесь своим номером с помощью кнопки ниже, а не чужим контактом."
	textOptedOut      = "Вы отписались от сообщений банка в этом чате. Чтобы снова получать их, отправьте /start."
	textResubscribed  = "Вы снова подписаны на сообщения банка."
	buttonSharePhone  = "📱 Поделиться номером"
)

// Processor handles stored updates one by one, in update order, on whichever instance gets to them.
type Processor struct {
	Inbox    *messenger.Inbox
	Contacts *messenger.Contacts
	Outbox   *messenger.Outbox
	// Answer stops a pressed button's spinner; nil skips it.
	Answer func(ctx context.Context, callbackID, text string) error
	// Inbound receives what the messenger layer does not handle; nil drops it after recording the chat.
	Inbound func(ctx context.Context, in messenger.Inbound) error
	// Files registers the files clients send, for the fetcher; nil: a message's files are left out.
	Files     *messenger.Files
	WakeFetch func()
	WakeSend  func()
	Log       zerolog.Logger
	Idle      time.Duration
	wake      chan struct{}
}

// Wake tells the processor an update arrived.
func (p *Processor) Wake() {
	p.init()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *Processor) init() {
	if p.wake == nil {
		p.wake = make(chan struct{}, 1)
	}
	if p.Idle == 0 {
		p.Idle = time.Second
	}
}

// Run processes updates until ctx ends.
func (p *Processor) Run(ctx context.Context) error {
	p.init()
	for ctx.Err() == nil {
		_, err := p.Inbox.ProcessNext(ctx, p.Handle)
		switch {
		case err == nil:
			continue
		case errors.Is(err, messenger.ErrEmpty):
		default:
			if ctx.Err() == nil {
				p.Log.Error().Err(err).Msg("process update")
			}
		}
		select {
		case <-ctx.Done():
		case <-p.wake:
		case <-time.After(p.Idle):
		}
	}
	return nil
}

// Handle interprets one update. It is idempotent: an update handled twice after a crash changes nothing twice.
func (p *Processor) Handle(ctx context.Context, updateID int64, payload []byte) error {
	u, err := decodeUpdate(payload)
	if err != nil {
		return fmt.Errorf("telegram: update %d: %w", updateID, err)
	}
	if len(u.Odd) > 0 {
		p.Log.Warn().Int64("update_id", updateID).Strs("fields", u.Odd).
			Msg("update fields of an unexpected shape were skipped; the rest was read")
	}
	switch {
	case u.MyChatMember != nil:
		return p.chatMember(ctx, u.MyChatMember)
	case u.CallbackQuery != nil:
		return p.callback(ctx, updateID, u.CallbackQuery)
	case u.Message != nil && u.Message.Chat.Type == "private" && u.Message.Chat.ID != 0:
		return p.message(ctx, updateID, u.Message)
	}
	return nil // groups, channels and other update kinds are not Dozvon's business
}

func chatOf(m *message) messenger.Chat {
	c := messenger.Chat{ChatID: m.Chat.ID, Username: messenger.CleanText(m.Chat.Username),
		FirstName: messenger.CleanText(m.Chat.FirstName)}
	if m.From != nil {
		c.UserID = m.From.ID
	}
	return c
}

func (p *Processor) message(ctx context.Context, updateID int64, m *message) error {
	chat := chatOf(m)
	cmd, arg := command(strings.TrimSpace(m.Text))
	switch {
	case m.Contact != nil:
		return p.contact(ctx, chat, m.Contact)
	case cmd == "/start":
		return p.start(ctx, chat, arg)
	case cmd == "/stop":
		return p.optOut(ctx, chat, "/stop")
	}
	if _, err := p.Contacts.Seen(ctx, chat); err != nil {
		return err
	}
	if p.Inbound == nil || m.Event {
		return nil // a pin or a new wallpaper is nothing to answer
	}
	in := messenger.Inbound{UpdateID: updateID, Chat: chat, Text: messenger.CleanText(m.Text), Shared: m.Shared,
		At: time.Unix(m.Date, 0)}
	if m.Text == "" {
		in.Text = messenger.CleanText(m.Caption) // a photo or file says what it is in its caption
	}
	if len(m.Files) > 0 && p.Files != nil {
		var err error
		if in.Attachments, err = p.Files.Register(ctx, updateID, m.Files); err != nil {
			return err
		}
		if p.WakeFetch != nil {
			defer p.WakeFetch()
		}
	}
	return p.Inbound(ctx, in)
}

// command splits "/start@DozvonBot payload" into "/start" and "payload".
func command(text string) (string, string) {
	if !strings.HasPrefix(text, "/") {
		return "", ""
	}
	cmd, arg, _ := strings.Cut(text, " ")
	cmd, _, _ = strings.Cut(cmd, "@")
	return strings.ToLower(cmd), strings.TrimSpace(arg)
}

func (p *Processor) start(ctx context.Context, chat messenger.Chat, token string) error {
	wasOptedOut, err := p.Contacts.Resubscribe(ctx, chat)
	if err != nil {
		return err
	}
	if wasOptedOut {
		p.reply(ctx, chat.ChatID, textResubscribed, nil)
	}
	if token != "" {
		_, err := p.Contacts.LinkInvitation(ctx, chat, token)
		switch {
		case err == nil:
			p.reply(ctx, chat.ChatID, textWelcomeLinked, nil)
			return nil
		case !errors.Is(err, messenger.ErrUnknownInvitation):
			return err
		}
		p.Log.Info().Int64("chat_id", chat.ChatID).Msg("/start with an unknown token; asking for the phone")
	} else if _, err := p.Contacts.Seen(ctx, chat); err != nil {
		return err
	}
	p.reply(ctx, chat.ChatID, textWelcomeAsk, sharePhoneButton())
	return nil
}

func sharePhoneButton() messenger.Markup {
	return messenger.Markup{{{Text: buttonSharePhone, RequestContact: true}}}
}

// contact links a shared phone, but only the sender's own: a forwarded card of someone else proves nothing.
func (p *Processor) contact(ctx context.Context, chat messenger.Chat, c *contact) error {
	if c.UserID == 0 || c.UserID != chat.UserID {
		p.Log.Warn().Int64("chat_id", chat.ChatID).Msg("a contact that is not the sender's own was refused")
		p.reply(ctx, chat.ChatID, textPhoneForeign, sharePhoneButton())
		return nil
	}
	if _, err := p.Contacts.LinkPhone(ctx, chat, c.PhoneNumber); err != nil {
		if errors.Is(err, messenger.ErrBadPhone) {
			return nil
		}
		return err
	}
	p.reply(ctx, chat.ChatID, textPhoneLinked, nil)
	return nil
}

func (p *Processor) optOut(ctx context.Context, chat messenger.Chat, source string) error {
	if err := p.Contacts.OptOut(ctx, chat, source); err != nil {
		return err
	}
	// The confirmation is the one message an opted-out chat still gets, so it goes straight to the queue front.
	p.reply(ctx, chat.ChatID, textOptedOut, nil)
	return nil
}

func (p *Processor) callback(ctx context.Context, updateID int64, q *callbackQuery) error {
	if p.Answer != nil {
		if err := p.Answer(ctx, q.ID, ""); err != nil {
			p.Log.Debug().Err(err).Msg("answer callback")
		}
	}
	chat := messenger.Chat{ChatID: q.From.ID, UserID: q.From.ID, Username: q.From.Username, FirstName: q.From.FirstName}
	if q.Message != nil && q.Message.Chat.ID != 0 {
		chat.ChatID = q.Message.Chat.ID
	}
	if q.Data == CallbackOptOut {
		return p.optOut(ctx, chat, "button")
	}
	if _, err := p.Contacts.Seen(ctx, chat); err != nil {
		return err
	}
	if p.Inbound == nil {
		return nil
	}
	return p.Inbound(ctx, messenger.Inbound{UpdateID: updateID, Chat: chat, CallbackData: q.Data, At: time.Now()})
}

func (p *Processor) chatMember(ctx context.Context, m *chatMemberUpdated) error {
	switch m.NewChatMember.Status {
	case "kicked":
		return p.Contacts.MarkBlocked(ctx, m.Chat.ID, "the client blocked the bot")
	case "member":
		return p.Contacts.MarkUnblocked(ctx, m.Chat.ID)
	}
	return nil
}

// reply queues the bot's own answer ahead of broadcasts. A failure is logged: the client's action was recorded,
// which matters more than the courtesy message.
func (p *Processor) reply(ctx context.Context, chatID int64, text string, buttons messenger.Markup) {
	_, err := p.Outbox.Enqueue(ctx, messenger.Outgoing{
		Message:  messenger.Message{ChatID: chatID, Text: text, Buttons: buttons},
		Priority: messenger.PriorityReply,
	})
	if err != nil {
		p.Log.Error().Err(err).Int64("chat_id", chatID).Msg("queue the bot's reply")
		return
	}
	if p.WakeSend != nil {
		p.WakeSend()
	}
}
