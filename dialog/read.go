package dialog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"dozvon/messenger"
)

// Conversation is one conversation as the console shows it.
type Conversation struct {
	ID        int64
	ContactID int64
	// To is the client's chat, on its bot and channel: where the conversation's answers go.
	To           messenger.Address
	BotName      string // the bot the client writes to, as people see it
	ClientID     *int64
	LeadID       *int64
	LeadKind     string
	CampaignID   *int64
	QueueID      *int64
	Status       string // bot, waiting, assigned, closed
	OperatorID   *int64
	WaitingSince *time.Time // the oldest unanswered client message: the SLA timer runs from here
	OpenedAt     time.Time
	AssignedAt   *time.Time
	ClosedAt     *time.Time
	CSAT         *int
	Messages     []Message
}

// Message is one line of a conversation.
type Message struct {
	ID         int64
	Direction  string // in (the client), out (an operator or the bot), note (internal), system
	AuthorID   *int64 // the operator; nil for the client and the bot
	AuthorName string
	// Text is what the client or operator wrote, verbatim and unescaped: whoever shows it escapes it. Campaign
	// broadcasts copied in are the exception: their Text is the campaign's Telegram HTML, and Payload says
	// "format": "html".
	Text      string
	Payload   json.RawMessage
	CreatedAt time.Time
	// Delivery is the outbox state of a message sent to the client (queued, sending, sent, failed, cancelled,
	// held) and DeliveryError why it failed; empty for what was not sent.
	Delivery      string
	DeliveryError string
	// AnsweredAt and ResponseMS are a client message's SLA clock: when an operator first answered it, and after
	// how long.
	AnsweredAt *time.Time
	ResponseMS *int
}

// Attachments are the files a client's message carried (messenger.Files keeps them); none for other messages.
func (m Message) Attachments() []messenger.Attachment {
	var p struct {
		Attachments []messenger.Attachment `json:"attachments"`
	}
	_ = json.Unmarshal(m.Payload, &p) // a message without a payload has none
	return p.Attachments
}

// Shared is what a client's message carried that is neither words nor a file (a place, a poll ...); nil for
// anything else.
func (m Message) Shared() *messenger.Shared {
	var p struct {
		Shared *messenger.Shared `json:"shared"`
	}
	_ = json.Unmarshal(m.Payload, &p) // a message without a payload shared nothing
	return p.Shared
}

// Conversation returns a conversation with all its messages, oldest first.
func (s *Service) Conversation(ctx context.Context, id int64) (Conversation, error) {
	var c Conversation
	var csat *int16
	err := s.pool.QueryRow(ctx, `
		SELECT c.id, c.contact_id, ct.channel, ct.bot_id, ct.chat_id, b.name, c.client_id, c.lead_id, coalesce(l.kind, ''),
		       c.campaign_id, c.queue_id, c.status, c.operator_id, c.waiting_since, c.opened_at, c.assigned_at,
		       c.closed_at, c.csat
		FROM conversations c
		JOIN contacts ct ON ct.id = c.contact_id
		JOIN bots b ON b.id = ct.bot_id
		LEFT JOIN leads l ON l.id = c.lead_id
		WHERE c.id = $1`, id).Scan(&c.ID, &c.ContactID, &c.To.Channel, &c.To.BotID, &c.To.ChatID, &c.BotName, &c.ClientID,
		&c.LeadID, &c.LeadKind, &c.CampaignID, &c.QueueID, &c.Status, &c.OperatorID, &c.WaitingSince, &c.OpenedAt, &c.AssignedAt,
		&c.ClosedAt, &csat)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("dialog: conversation %d: %w", id, err)
	}
	if csat != nil {
		c.CSAT = ptr(int(*csat))
	}
	rows, err := s.pool.Query(ctx, `
		SELECT m.id, m.direction, m.author_id, coalesce(nullif(u.display_name, ''), u.login, ''), m.text, m.payload,
		       m.created_at, coalesce(o.state, ''), coalesce(o.last_error, ''), m.answered_at, m.response_ms
		FROM conversation_messages m
		LEFT JOIN users u ON u.id = m.author_id
		LEFT JOIN outbox o ON o.id = m.outbox_id
		WHERE m.conversation_id = $1
		ORDER BY m.id`, id)
	if err != nil {
		return c, fmt.Errorf("dialog: messages of conversation %d: %w", id, err)
	}
	c.Messages, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Message, error) {
		var m Message
		err := r.Scan(&m.ID, &m.Direction, &m.AuthorID, &m.AuthorName, &m.Text, &m.Payload, &m.CreatedAt,
			&m.Delivery, &m.DeliveryError, &m.AnsweredAt, &m.ResponseMS)
		return m, err
	})
	if err != nil {
		return c, fmt.Errorf("dialog: messages of conversation %d: %w", id, err)
	}
	return c, nil
}

// Dialog is one line of an operator's list of open conversations.
type Dialog struct {
	ConversationID int64
	Company        string
	ClientName     string // the chat's first name in the messenger
	Channel        string // the messenger the client writes on
	BotName        string // the bot they write to, as people see it
	LeadKind       string
	QueueID        *int64
	AssignedAt     *time.Time
	LastMessage    string
	LastMessageAt  *time.Time
	Unread         int // client messages after the operator's read mark
	Unanswered     int // client messages no operator answered yet
	// OldestUnansweredAt starts the SLA timer the list shows; SLATarget and SLAWarning are the queue's.
	OldestUnansweredAt *time.Time
	SLATarget          time.Duration
	SLAWarning         time.Duration
}

// OperatorDialogs returns an operator's open conversations, the longest-waiting client first.
func (s *Service) OperatorDialogs(ctx context.Context, operatorID int64) ([]Dialog, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT c.id, coalesce(cl.company_name, ''), ct.first_name, ct.channel, b.name, coalesce(l.kind, ''), c.queue_id,
		       c.assigned_at,
		       coalesce(last.text, ''), last.created_at,
		       (SELECT count(*) FROM conversation_messages m
		        WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.id > c.read_message_id),
		       (SELECT count(*) FROM conversation_messages m
		        WHERE m.conversation_id = c.id AND m.sla AND m.answered_at IS NULL),
		       c.waiting_since, coalesce(q.sla_target, '60 seconds'), coalesce(q.sla_warning, '45 seconds')
		FROM conversations c
		JOIN contacts ct ON ct.id = c.contact_id
		JOIN bots b ON b.id = ct.bot_id
		LEFT JOIN clients cl ON cl.id = c.client_id
		LEFT JOIN leads l ON l.id = c.lead_id
		LEFT JOIN queues q ON q.id = c.queue_id
		LEFT JOIN LATERAL (
		    SELECT m.text, m.created_at FROM conversation_messages m
		    WHERE m.conversation_id = c.id AND m.direction IN ('in', 'out')
		    ORDER BY m.id DESC LIMIT 1
		) last ON true
		WHERE c.status = 'assigned' AND c.operator_id = $1
		ORDER BY c.waiting_since NULLS LAST, last.created_at DESC NULLS LAST, c.id`, operatorID)
	if err != nil {
		return nil, fmt.Errorf("dialog: dialogs of operator %d: %w", operatorID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Dialog, error) {
		var d Dialog
		err := r.Scan(&d.ConversationID, &d.Company, &d.ClientName, &d.Channel, &d.BotName, &d.LeadKind, &d.QueueID, &d.AssignedAt,
			&d.LastMessage, &d.LastMessageAt, &d.Unread, &d.Unanswered, &d.OldestUnansweredAt, &d.SLATarget,
			&d.SLAWarning)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("dialog: dialogs of operator %d: %w", operatorID, err)
	}
	return list, nil
}

// QueueState is one queue right now.
type QueueState struct {
	ID            int64
	Name          string
	LeadKind      string // empty for the general queue
	Waiting       int
	OldestWaiting *time.Time // since when the longest-waiting client waits
	SLATarget     time.Duration
	SLAWarning    time.Duration
}

// OperatorState is one operator right now.
type OperatorState struct {
	OperatorID int64
	Name       string
	Status     string
	Load       int
	Capacity   int
	Queues     []int64 // none: every queue
	LastSeenAt time.Time
	ChangedAt  time.Time
}

// Snapshot is the live view of queues and operators.
type Snapshot struct {
	Queues    []QueueState
	Operators []OperatorState
}

// QueueSnapshot returns every queue with what waits in it, and every operator with their presence and load.
func (s *Service) QueueSnapshot(ctx context.Context) (Snapshot, error) {
	var snap Snapshot
	rows, err := s.pool.Query(ctx, `
		SELECT q.id, q.name, coalesce(q.lead_kind, ''), count(c.id),
		       min(coalesce(c.waiting_since, c.queued_at)), q.sla_target, q.sla_warning
		FROM queues q LEFT JOIN conversations c ON c.queue_id = q.id AND c.status = 'waiting'
		GROUP BY q.id ORDER BY q.id`)
	if err != nil {
		return snap, fmt.Errorf("dialog: queue snapshot: %w", err)
	}
	snap.Queues, err = pgx.CollectRows(rows, pgx.RowToStructByPos[QueueState])
	if err != nil {
		return snap, fmt.Errorf("dialog: queue snapshot: %w", err)
	}
	rows, err = s.pool.Query(ctx, `
		SELECT o.user_id, coalesce(nullif(u.display_name, ''), u.login), o.status,
		       (SELECT count(*) FROM conversations a WHERE a.status = 'assigned' AND a.operator_id = o.user_id),
		       o.capacity, o.queues, o.last_seen_at, o.changed_at
		FROM operator_states o JOIN users u ON u.id = o.user_id
		ORDER BY o.status = 'online' DESC, o.status = 'away' DESC, u.login`)
	if err != nil {
		return snap, fmt.Errorf("dialog: operator snapshot: %w", err)
	}
	snap.Operators, err = pgx.CollectRows(rows, pgx.RowToStructByPos[OperatorState])
	if err != nil {
		return snap, fmt.Errorf("dialog: operator snapshot: %w", err)
	}
	return snap, nil
}
