package dialog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"dozvon/campaigns"
	"dozvon/messenger"
)

// errDuplicate stops the transaction of an update that was already recorded; the caller reports success.
var errDuplicate = errors.New("dialog: update already recorded")

// HandleInbound records what a client wrote or pressed in their open conversation, opening one when there is
// none, and decides who answers: the bot (a campaign button with an auto-reply, or one asking for a phone call,
// which becomes a task for the dialer) or an operator (everything else; a button asking for a person is
// acknowledged by the bot too, so the client knows someone will write).
// It is the messenger processor's Inbound hook, whatever the messenger, and idempotent by the update's inbox row: an
// update handled again after a crash adds nothing and sends nothing twice. Whatever it answers goes to the chat the
// client wrote from, on its bot and channel.
func (s *Service) HandleInbound(ctx context.Context, in messenger.Inbound) error {
	// What a client types reaches the operator even when PostgreSQL could not store it as typed (a NUL, bytes that
	// are not UTF-8): such a character is shown as U+FFFD.
	in.Text, in.CallbackData = messenger.CleanText(in.Text), messenger.CleanText(in.CallbackData)
	if strings.HasPrefix(in.CallbackData, csatPrefix) {
		return s.recordCSAT(ctx, in)
	}
	press, err := s.campaignButton(ctx, in.CallbackData)
	if err != nil {
		return fmt.Errorf("dialog: inbound update %d from chat %d: %w", in.InboxID, in.Chat.ChatID, err)
	}
	shown := in.Text // what the operator's screen shows: the text, or the pressed button's label
	if in.CallbackData != "" {
		shown = press.label
	}
	routed := false
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		contactID, err := lockContact(ctx, tx, in)
		if err != nil {
			return err
		}
		c, err := s.openConversation(ctx, tx, contactID, in.Chat.Address, press.campaignID)
		if err != nil {
			return err
		}
		action := press.action()
		byBot := action == campaigns.ActionReply || action == campaigns.ActionCallback
		msgID, err := s.insertClientMessage(ctx, tx, c.ID, in, shown, !byBot)
		if err != nil {
			return err
		}
		if err := s.markLeadReplied(ctx, tx, c.LeadID); err != nil {
			return err
		}
		switch action {
		case campaigns.ActionReply:
			return s.autoReply(ctx, tx, c, in.Chat.Address, msgID, shown, press.button.Reply)
		case campaigns.ActionCallback:
			// A task for the bank's dialer, not for the chat team: it goes to the callbacks list, the client is
			// told what happens next, and nobody's SLA clock starts.
			if err := s.recordCallbackRequest(ctx, tx, c); err != nil {
				return err
			}
			ack, err := s.callbackAck(ctx, tx, c)
			if err != nil {
				return err
			}
			return s.autoReply(ctx, tx, c, in.Chat.Address, msgID, shown, ack)
		case campaigns.ActionRoute:
			if err := s.route(ctx, tx, c, msgID, shown); err != nil {
				return err
			}
			routed = true
			_, err := s.botSay(ctx, tx, c.ID, in.Chat.Address, s.AckWrite, nil)
			return err
		}
		routed = true
		return s.route(ctx, tx, c, msgID, shown)
	})
	if errors.Is(err, errDuplicate) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dialog: inbound update %d from chat %d: %w", in.InboxID, in.Chat.ChatID, err)
	}
	if routed {
		s.settle(ctx)
	}
	return nil
}

// lockContact returns the chat's contact, locked so that one client's updates are recorded one at a time even
// when several instances process the inbox, and refuses an update that was already recorded.
func lockContact(ctx context.Context, tx pgx.Tx, in messenger.Inbound) (int64, error) {
	var contactID int64
	err := tx.QueryRow(ctx, `SELECT id FROM contacts WHERE bot_id = $1 AND chat_id = $2 FOR NO KEY UPDATE`,
		in.Chat.BotID, in.Chat.ChatID).Scan(&contactID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("no contact for chat %d of bot %d", in.Chat.ChatID, in.Chat.BotID)
	}
	if err != nil {
		return 0, err
	}
	var seen bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM conversation_messages WHERE inbox_id = $1)`,
		in.InboxID).Scan(&seen); err != nil {
		return 0, err
	}
	if seen {
		return 0, errDuplicate
	}
	return contactID, nil
}

// pressed is a campaign button a client pressed: "c:<campaign>:<index>". button is nil for anything the
// campaign no longer has (an edited template, a deleted campaign): such a press goes to an operator.
type pressed struct {
	campaignID *int64
	label      string
	button     *campaigns.Button
}

// action is what the pressed button does; "" for a message, or a press of a button the campaign no longer has.
func (p pressed) action() string {
	if p.button == nil {
		return ""
	}
	return p.button.Action
}

func (s *Service) campaignButton(ctx context.Context, data string) (pressed, error) {
	parts := strings.Split(data, ":")
	if len(parts) != 3 || parts[0] != "c" {
		return pressed{}, nil
	}
	campaignID, err1 := strconv.ParseInt(parts[1], 10, 64)
	index, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil {
		return pressed{}, nil
	}
	camp, err := s.campaigns.Get(ctx, campaignID)
	if errors.Is(err, campaigns.ErrNotFound) {
		return pressed{}, nil
	}
	if err != nil {
		return pressed{}, err
	}
	p := pressed{campaignID: &camp.ID}
	if index >= 0 && index < len(camp.Template.Buttons) {
		b := camp.Template.Buttons[index]
		p.button, p.label = &b, b.Text
	}
	return p, nil
}

// conv is the part of a conversation that actions need.
type conv struct {
	ID           int64
	ContactID    int64
	ClientID     *int64
	LeadID       *int64
	QueueID      *int64
	OperatorID   *int64
	Status       string
	WaitingSince *time.Time
}

const convColumns = `c.id, c.contact_id, c.client_id, c.lead_id, c.queue_id, c.operator_id, c.status, c.waiting_since`

func scanConv(row pgx.Row) (conv, error) {
	var c conv
	err := row.Scan(&c.ID, &c.ContactID, &c.ClientID, &c.LeadID, &c.QueueID, &c.OperatorID, &c.Status, &c.WaitingSince)
	return c, err
}

// lockConversation returns a conversation locked for a change.
func lockConversation(ctx context.Context, tx pgx.Tx, id int64) (conv, error) {
	c, err := scanConv(tx.QueryRow(ctx, `SELECT `+convColumns+` FROM conversations c WHERE c.id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// openConversation returns the contact's open conversation, or opens one tied to what the client is answering:
// the newest campaign message sent to the chat within the reply window (the pressed button's campaign first),
// else the lead the chat was last linked to. A message still 'sending' counts: the sender records deliveries in
// batches, and a quick client can answer before the batch is written. That broadcast is copied in as the first message, so the operator
// sees what the client answers; a broadcast already copied into an earlier conversation is not copied again.
func (s *Service) openConversation(ctx context.Context, tx pgx.Tx, contactID int64, chat messenger.Address, campaignHint *int64) (conv, error) {
	c, err := scanConv(tx.QueryRow(ctx, `
		SELECT `+convColumns+` FROM conversations c WHERE c.contact_id = $1 AND c.status <> 'closed' FOR UPDATE`,
		contactID))
	if !errors.Is(err, pgx.ErrNoRows) {
		return c, err
	}
	now := s.now()
	var outboxID, campaignID, leadID *int64
	var uncopied bool
	err = tx.QueryRow(ctx, `
		SELECT o.id, o.campaign_id, o.lead_id, NOT EXISTS (SELECT FROM conversation_messages m WHERE m.outbox_id = o.id)
		FROM outbox o
		WHERE o.bot_id = @bot AND o.chat_id = @chat AND o.campaign_id IS NOT NULL AND o.state IN ('sending', 'sent')
		  AND (o.campaign_id = @hint OR coalesce(o.sent_at, o.created_at) > @since)
		ORDER BY (o.campaign_id = @hint) IS TRUE DESC, coalesce(o.sent_at, o.created_at) DESC, o.id DESC
		LIMIT 1`,
		pgx.NamedArgs{"bot": chat.BotID, "chat": chat.ChatID, "hint": campaignHint, "since": now.Add(-s.ReplyWindow)}).
		Scan(&outboxID, &campaignID, &leadID, &uncopied)
	if errors.Is(err, pgx.ErrNoRows) {
		err = tx.QueryRow(ctx, `
			SELECT lead_id, campaign_id FROM contact_leads WHERE contact_id = $1
			ORDER BY linked_at DESC, lead_id DESC LIMIT 1`, contactID).Scan(&leadID, &campaignID)
		if campaignHint != nil {
			campaignID = campaignHint
		}
	}
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("find what chat %d answers: %w", chat.ChatID, err)
	}
	c, err = scanConv(tx.QueryRow(ctx, `
		INSERT INTO conversations AS c (contact_id, channel, client_id, lead_id, campaign_id, queue_id, status, opened_at,
		                                last_message_at, preferred_operator_id)
		SELECT @contact, @channel, l.client_id, @lead, @campaign,
		       coalesce((SELECT id FROM queues WHERE lead_kind = coalesce(l.kind, cp.lead_kind) ORDER BY id LIMIT 1),
		                (SELECT id FROM queues WHERE name = 'general')),
		       'bot', @now, @now,
		       (SELECT m.author_id FROM conversation_messages m JOIN conversations p ON p.id = m.conversation_id
		        WHERE (p.contact_id = @contact OR p.client_id = l.client_id)
		          AND m.direction = 'out' AND m.author_id IS NOT NULL
		        ORDER BY m.id DESC LIMIT 1)
		FROM (SELECT) AS one
		LEFT JOIN leads l ON l.id = @lead
		LEFT JOIN campaigns cp ON cp.id = @campaign
		RETURNING `+convColumns,
		pgx.NamedArgs{"contact": contactID, "channel": chat.Channel, "lead": leadID, "campaign": campaignID, "now": now}))
	if err != nil {
		return c, fmt.Errorf("open a conversation for chat %d: %w", chat.ChatID, err)
	}
	if outboxID != nil && uncopied {
		if _, err := tx.Exec(ctx, `
			INSERT INTO conversation_messages (conversation_id, direction, text, payload, outbox_id, created_at, delivery)
			SELECT $1, 'out', o.text,
			       jsonb_build_object('format', 'html', 'campaign_id', o.campaign_id, 'buttons', o.reply_markup),
			       o.id, coalesce(o.sent_at, o.created_at), o.state
			FROM outbox o WHERE o.id = $2`, c.ID, *outboxID); err != nil {
			return c, fmt.Errorf("copy the campaign message into conversation %d: %w", c.ID, err)
		}
	}
	return c, nil
}

// insertClientMessage stores the client's words verbatim: escaping is the job of whoever shows them. A press is
// stored as the button's label, with the callback data that says which button it was; the files a message
// carried are listed in its payload (messenger.Files has them), and so is a place, poll or the like it shared.
func (s *Service) insertClientMessage(ctx context.Context, tx pgx.Tx, convID int64, in messenger.Inbound, text string, sla bool) (int64, error) {
	payload := map[string]any{"messenger_at": in.At.UTC()} // when the messenger says it was sent
	if in.CallbackData != "" {
		payload["callback_data"] = in.CallbackData
	}
	if len(in.Attachments) > 0 {
		payload["attachments"] = in.Attachments
	}
	if in.Shared != nil {
		payload["shared"] = in.Shared // data, worded by whoever shows it
	}
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO conversation_messages (conversation_id, direction, text, payload, inbox_id, created_at, sla)
		VALUES (@conv, 'in', @text, @payload, @inbox, @now, @sla)
		RETURNING id`,
		pgx.NamedArgs{"conv": convID, "text": text, "payload": payload, "inbox": in.InboxID, "now": s.now(), "sla": sla},
	).Scan(&id)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "conversation_messages_inbox_key" {
		return 0, errDuplicate
	}
	return id, err
}

// markLeadReplied records a successful communication: the lead answered in the chat.
func (s *Service) markLeadReplied(ctx context.Context, tx pgx.Tx, leadID *int64) error {
	if leadID == nil {
		return nil
	}
	_, err := tx.Exec(ctx, `
		UPDATE leads SET status = 'replied', updated_at = $2 WHERE id = $1 AND status IN ('new', 'offered')`,
		*leadID, s.now())
	return err
}

// route hands the conversation to people: from the bot it enters its queue; waiting or assigned, it stays where
// it is. Either way the client now waits for an answer, and the clock runs from their oldest unanswered message.
func (s *Service) route(ctx context.Context, tx pgx.Tx, c conv, msgID int64, text string) error {
	now := s.now()
	var status string
	err := tx.QueryRow(ctx, `
		UPDATE conversations SET
		    status = CASE WHEN status = 'bot' THEN 'waiting' ELSE status END,
		    queued_at = CASE WHEN status = 'bot' THEN @now ELSE queued_at END,
		    waiting_since = coalesce(waiting_since, @now),
		    last_message_at = @now
		WHERE id = @conv
		RETURNING status`, pgx.NamedArgs{"conv": c.ID, "now": now}).Scan(&status)
	if err != nil {
		return err
	}
	if err := publishMessage(ctx, tx, c, msgID, "in", nil, text, now); err != nil {
		return err
	}
	if c.Status == "bot" {
		return publish(ctx, tx, EventWaiting, &c.ID, nil, c.QueueID, map[string]any{"since": now})
	}
	return nil
}

// publishMessage tells the conversation's operator, or its queue while nobody has it, about a new message.
func publishMessage(ctx context.Context, tx pgx.Tx, c conv, msgID int64, direction string, author *int64, text string, at time.Time) error {
	to, queue := c.OperatorID, c.QueueID
	if c.Status != "assigned" {
		to = nil
	}
	return publish(ctx, tx, EventMessage, &c.ID, to, queue, map[string]any{
		"message_id": msgID, "direction": direction, "author_id": author, "text": text, "at": at})
}

// botSay queues a message of the bot's own in the conversation, to the client's chat, and records it there.
func (s *Service) botSay(ctx context.Context, tx pgx.Tx, convID int64, to messenger.Address, text string, buttons messenger.Markup) (int64, error) {
	outboxID, err := messenger.EnqueueTx(ctx, tx, messenger.Outgoing{
		Message:        messenger.Message{Address: to, Text: messenger.Escape(text), Buttons: buttons},
		ConversationID: &convID,
		Priority:       messenger.PriorityReply,
	})
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO conversation_messages (conversation_id, direction, text, payload, outbox_id, created_at, delivery)
		VALUES (@conv, 'out', @text, @payload, @outbox, @now, 'queued')
		RETURNING id`, pgx.NamedArgs{"conv": convID, "text": text, "payload": map[string]any{"buttons": buttons},
		"outbox": outboxID, "now": s.now()}).Scan(&id)
	return id, err
}

// autoReply answers a button whose campaign gave the answer: the bot says it, and nobody is bothered. A
// conversation already with people stays with them.
func (s *Service) autoReply(ctx context.Context, tx pgx.Tx, c conv, to messenger.Address, pressID int64, label, reply string) error {
	now := s.now()
	if _, err := tx.Exec(ctx, `UPDATE conversations SET last_message_at = $2 WHERE id = $1`, c.ID, now); err != nil {
		return err
	}
	if err := publishMessage(ctx, tx, c, pressID, "in", nil, label, now); err != nil {
		return err
	}
	_, err := s.botSay(ctx, tx, c.ID, to, reply, nil)
	return err
}

// callbackAck is what the client is told after asking for a call: when the bank has no phone number of theirs,
// they are asked for one (what they write goes to an operator, who adds it to the task).
func (s *Service) callbackAck(ctx context.Context, tx pgx.Tx, c conv) (string, error) {
	var phone bool
	err := tx.QueryRow(ctx, `
		SELECT coalesce(cl.phone, ct.phone, '') <> '' FROM contacts ct LEFT JOIN clients cl ON cl.id = $2
		WHERE ct.id = $1`, c.ContactID, c.ClientID).Scan(&phone)
	if err != nil || phone {
		return s.AckCallback, err
	}
	return s.AckCallback + " " + textAskPhone, nil
}

// recordCallbackRequest records that the client asked to be called back; the time is for the dialer to agree
// with them, so it has none yet.
func (s *Service) recordCallbackRequest(ctx context.Context, tx pgx.Tx, c conv) error {
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO outcomes (conversation_id, lead_id, client_id, kind, source, recorded_at)
		VALUES ($1, $2, $3, 'callback', 'client', $4) RETURNING id`, c.ID, c.LeadID, c.ClientID, s.now()).Scan(&id)
	if err != nil {
		return err
	}
	return publish(ctx, tx, EventOutcome, &c.ID, nil, c.QueueID,
		map[string]any{"outcome_id": id, "kind": OutcomeCallback, "source": "client"})
}
