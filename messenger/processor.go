package messenger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// Processor handles one bot's stored updates one by one, in the order they were stored, on whichever instance
// gets to them. Its adapter only decodes: linking a chat by deep link or by shared phone, opt-out and
// resubscription, blocks, the files a message brings, and handing the rest to the dialog are the same on every
// messenger, and live here.
type Processor struct {
	Bot Bot
	// Decode reads one update of the bot's messenger; an error is an update that is not one at all.
	Decode   func(payload []byte) (Event, error)
	Inbox    *Inbox
	Contacts *Contacts
	Outbox   *Outbox
	// Answer stops a pressed button's spinner; nil skips it.
	Answer func(ctx context.Context, callbackID, text string) error
	// Inbound receives what the messenger layer does not handle; nil drops it after recording the chat.
	Inbound func(ctx context.Context, in Inbound) error
	// Files registers the files clients send, for the fetcher; nil: a message's files are left out.
	Files     *Files
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
		_, err := p.Inbox.ProcessNext(ctx, p.Bot.ID, p.Handle)
		switch {
		case err == nil:
			continue
		case errors.Is(err, ErrEmpty):
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
func (p *Processor) Handle(ctx context.Context, u Update) error {
	ev, err := p.Decode(u.Payload)
	if err != nil {
		return fmt.Errorf("%s: update %s: %w", p.Bot.Channel, u.Key, err)
	}
	if len(ev.Skipped) > 0 {
		p.Log.Warn().Str("update", u.Key).Strs("fields", ev.Skipped).
			Msg("update fields of an unexpected shape were skipped; the rest was read")
	}
	if ev.Kind == EventNone {
		return nil
	}
	ev.Chat.Channel, ev.Chat.BotID = p.Bot.Channel, p.Bot.ID
	ev.Chat.Username, ev.Chat.FirstName = CleanText(ev.Chat.Username), CleanText(ev.Chat.FirstName)
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	switch ev.Kind {
	case EventStarted:
		return p.start(ctx, ev.Chat, ev.Payload)
	case EventContact:
		return p.contact(ctx, ev)
	case EventStopped:
		return p.optOut(ctx, ev.Chat, "/stop")
	case EventBlocked:
		return p.Contacts.MarkBlocked(ctx, ev.Chat.Address, "the client blocked the bot")
	case EventUnblocked:
		return p.Contacts.MarkUnblocked(ctx, ev.Chat.Address)
	case EventCallback:
		return p.callback(ctx, u.ID, ev)
	}
	if _, err := p.Contacts.Seen(ctx, ev.Chat); err != nil {
		return err
	}
	if p.Inbound == nil || ev.Kind != EventMessage {
		return nil // a pin or a new wallpaper is nothing to answer
	}
	in := Inbound{InboxID: u.ID, Chat: ev.Chat, Text: CleanText(ev.Text), Shared: ev.Shared,
		At: ev.At}
	if len(ev.Files) > 0 && p.Files != nil {
		if in.Attachments, err = p.Files.Register(ctx, p.Bot.ID, u.ID, ev.Files); err != nil {
			return err
		}
		if p.WakeFetch != nil {
			defer p.WakeFetch()
		}
	}
	return p.Inbound(ctx, in)
}

func (p *Processor) texts() BotTexts { return TextsFor(p.Bot.Channel) }

func (p *Processor) start(ctx context.Context, chat Chat, token string) error {
	wasOptedOut, err := p.Contacts.Resubscribe(ctx, chat)
	if err != nil {
		return err
	}
	if wasOptedOut {
		p.reply(ctx, chat.Address, p.texts().Resubscribed, nil)
	}
	if token != "" {
		_, err := p.Contacts.LinkInvitation(ctx, chat, token)
		switch {
		case err == nil:
			p.reply(ctx, chat.Address, p.texts().WelcomeLinked, nil)
			return nil
		case !errors.Is(err, ErrUnknownInvitation):
			return err
		}
		p.Log.Info().Int64("chat_id", chat.ChatID).Msg("start with an unknown token; asking for the phone")
	} else if _, err := p.Contacts.Seen(ctx, chat); err != nil {
		return err
	}
	p.reply(ctx, chat.Address, p.texts().WelcomeAsk, p.sharePhoneButton())
	return nil
}

func (p *Processor) sharePhoneButton() Markup {
	return Markup{{{Text: p.texts().SharePhone, RequestContact: true}}}
}

// contact links a shared phone, but only the sender's own: a forwarded card of someone else proves nothing.
func (p *Processor) contact(ctx context.Context, ev Event) error {
	if !ev.PhoneIsOwn {
		p.Log.Warn().Int64("chat_id", ev.Chat.ChatID).Msg("a contact that is not the sender's own was refused")
		p.reply(ctx, ev.Chat.Address, p.texts().PhoneForeign, p.sharePhoneButton())
		return nil
	}
	if _, err := p.Contacts.LinkPhone(ctx, ev.Chat, ev.Phone); err != nil {
		if errors.Is(err, ErrBadPhone) {
			return nil
		}
		return err
	}
	p.reply(ctx, ev.Chat.Address, p.texts().PhoneLinked, nil)
	return nil
}

func (p *Processor) optOut(ctx context.Context, chat Chat, source string) error {
	if err := p.Contacts.OptOut(ctx, chat, source); err != nil {
		return err
	}
	// The confirmation is the one message an opted-out chat still gets, so it goes straight to the queue front.
	p.reply(ctx, chat.Address, p.texts().OptedOut, nil)
	return nil
}

func (p *Processor) callback(ctx context.Context, inboxID int64, ev Event) error {
	if p.Answer != nil && ev.CallbackID != "" {
		if err := p.Answer(ctx, ev.CallbackID, ""); err != nil {
			p.Log.Debug().Err(err).Msg("answer callback")
		}
	}
	if ev.Payload == CallbackOptOut {
		return p.optOut(ctx, ev.Chat, "button")
	}
	if _, err := p.Contacts.Seen(ctx, ev.Chat); err != nil {
		return err
	}
	if p.Inbound == nil {
		return nil
	}
	return p.Inbound(ctx, Inbound{InboxID: inboxID, Chat: ev.Chat, CallbackData: ev.Payload, At: ev.At})
}

// reply queues the bot's own answer ahead of broadcasts. A failure is logged: the client's action was recorded,
// which matters more than the courtesy message.
func (p *Processor) reply(ctx context.Context, to Address, text string, buttons Markup) {
	_, err := p.Outbox.Enqueue(ctx, Outgoing{
		Message:  Message{Address: to, Text: text, Buttons: buttons},
		Priority: PriorityReply,
	})
	if err != nil {
		p.Log.Error().Err(err).Int64("chat_id", to.ChatID).Msg("queue the bot's reply")
		return
	}
	if p.WakeSend != nil {
		p.WakeSend()
	}
}
