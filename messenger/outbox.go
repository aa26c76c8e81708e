package messenger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/internal/msg"
)

// Outbox is the outgoing-message table, used both as the record of every message and as the queue the sender
// drains. Claims use FOR UPDATE SKIP LOCKED and a lease, so any number of instances can drain it and a dead
// instance's claims return to the queue when their lease runs out.
type Outbox struct {
	pool *pgxpool.Pool
}

// NewOutbox returns the outbox on pool.
func NewOutbox(pool *pgxpool.Pool) *Outbox { return &Outbox{pool: pool} }

// Priorities: an operator's reply to a waiting client jumps the broadcast queue.
const (
	PriorityBroadcast = 0
	PriorityReply     = 10
)

// Outgoing is a message to put in the queue.
type Outgoing struct {
	Message
	CampaignID, RunID, LeadID, ConversationID *int64
	Step                                      int
	Priority                                  int
	NotBefore                                 time.Time // zero: now
}

// ErrDuplicate is returned when the lead already has a message for this campaign step.
var ErrDuplicate = errors.New("messenger: this campaign step was already queued for the lead")

// Enqueue validates a message and queues it, returning its id. Broadcasts are enqueued in bulk by campaigns with
// one INSERT ... SELECT; this is for single messages (operator replies, confirmations, tests).
func (o *Outbox) Enqueue(ctx context.Context, m Outgoing) (int64, error) {
	id, err := insertOutgoing(ctx, o.pool, m)
	if err != nil {
		return 0, err
	}
	_ = Notify(ctx, o.pool, ChannelOutbox)
	return id, nil
}

// EnqueueTx queues a message in the caller's transaction, so the message exists exactly when the change that
// sends it does: a redelivered update cannot queue its answer twice, and an operator's reply is never sent
// without being recorded. The senders are woken when the transaction commits.
func EnqueueTx(ctx context.Context, tx pgx.Tx, m Outgoing) (int64, error) {
	id, err := insertOutgoing(ctx, tx, m)
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, ChannelOutbox); err != nil {
		return 0, fmt.Errorf("messenger: enqueue to chat %d: %w", m.ChatID, err)
	}
	return id, nil
}

func insertOutgoing(ctx context.Context, db querier, m Outgoing) (int64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	if m.Step == 0 {
		m.Step = 1
	}
	var markup []byte
	if len(m.Buttons) > 0 {
		markup, _ = json.Marshal(m.Buttons)
	}
	var notBefore any
	if !m.NotBefore.IsZero() {
		notBefore = m.NotBefore
	}
	// A message on a channel the policy closes is recorded, cancelled, rather than refused: the bot's own answers
	// (a greeting, the rating question) are part of flows that must go on, and the row says what was not sent and
	// why. What a person sends is checked before it gets here, with the reason shown (Policy.Refusal).
	var id int64
	err := db.QueryRow(ctx, `
		INSERT INTO outbox (campaign_id, run_id, step, lead_id, conversation_id, channel, bot_id, chat_id, text,
		                    reply_markup, priority, not_before, state, last_error)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12, now()),
		       CASE WHEN w.ok THEN 'queued' ELSE 'cancelled' END, CASE WHEN w.ok THEN '' ELSE `+policyReasonSQL("$6::text")+` END
		FROM (SELECT `+writableSQL("$6::text")+` AS ok) w
		RETURNING id`,
		m.CampaignID, m.RunID, m.Step, m.LeadID, m.ConversationID, m.Channel, m.BotID, m.ChatID, m.Text, markup,
		m.Priority, notBefore,
	).Scan(&id)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return 0, ErrDuplicate
	}
	if err != nil {
		return 0, fmt.Errorf("messenger: enqueue to chat %d: %w", m.ChatID, err)
	}
	return id, nil
}

// Item is a claimed message.
type Item struct {
	Lease
	Attempts int // including this one
	Message
}

// Lease is a message as one claim holds it: the token is written by the claim and changed by any later one, so
// whatever a sender does under it (send, extend, record) is refused once someone else has claimed the message.
type Lease struct {
	ID    int64
	Token int64
}

// Claim leases up to n ready messages of bot for lease to owner, under a new token: each bot's sender claims its
// own bot's messages, and none while the bot is switched off (Bots.SetEnabled): they wait queued. A message is ready when it is queued (or its sender's lease ran out), due, and its chat has
// no message in flight. The other half of Telegram's one message per second per chat
// is MarkSent, which moves a chat's next queued message to a second after the last delivery; both live in the
// database so that they hold across instances.
//
// The chats in flight are read once per claim, as a hashed NOT IN (chat_id is NOT NULL, so NOT IN means what it
// says): the anti-join it replaced was planned from statistics taken while nothing was in flight, as a nested loop
// comparing every candidate with every message in flight, a thousand by a thousand per claim. A message's own
// expired lease does not count against it, since only unexpired leases are in the set. The claimed rows are then
// updated through the primary key (= ANY of an array) rather than a hash join over the whole table.
func (o *Outbox) Claim(ctx context.Context, bot int64, owner string, n int, lease time.Duration) ([]Item, error) {
	token := rand.Int64()
	rows, err := o.pool.Query(ctx, `
		WITH picked AS (
		    SELECT o.id FROM outbox o
		    WHERE o.bot_id = $5 AND o.state IN ('queued', 'sending')
		      AND EXISTS (SELECT FROM bots b WHERE b.id = $5 AND b.enabled)
		      AND (o.state = 'queued' OR o.lease_until < now())
		      AND o.not_before <= now()
		      AND o.chat_id NOT IN (SELECT f.chat_id FROM outbox f
		                            WHERE f.bot_id = $5 AND f.state = 'sending' AND f.lease_until >= now())
		    ORDER BY o.priority DESC, o.not_before, o.id
		    LIMIT $1
		    FOR UPDATE OF o SKIP LOCKED
		)
		UPDATE outbox SET state = 'sending', lease_until = now() + $2::interval, attempts = attempts + 1,
		       lease_owner = $3, lease_token = $4
		WHERE id = ANY (ARRAY(SELECT id FROM picked))
		RETURNING id, attempts, channel, bot_id, chat_id, text, reply_markup`,
		n, lease, owner, token, bot)
	if err != nil {
		return nil, fmt.Errorf("messenger: claim outbox: %w", err)
	}
	// A campaign's messages carry the same buttons: each distinct markup is decoded once per claim and shared,
	// read-only, by the messages that carry it.
	buttons := map[string]Markup{}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Item, error) {
		it := Item{Lease: Lease{Token: token}}
		var markup []byte
		if err := r.Scan(&it.ID, &it.Attempts, &it.Channel, &it.BotID, &it.ChatID, &it.Text, &markup); err != nil {
			return it, err
		}
		if len(markup) == 0 {
			return it, nil
		}
		if b, ok := buttons[string(markup)]; ok {
			it.Buttons = b
			return it, nil
		}
		if err := json.Unmarshal(markup, &it.Buttons); err != nil {
			return it, fmt.Errorf("outbox %d: reply_markup: %w", it.ID, err)
		}
		buttons[string(markup)] = it.Buttons
		return it, nil
	})
	if err != nil {
		return nil, fmt.Errorf("messenger: claim outbox: %w", err)
	}
	return items, nil
}

// Extend lengthens the leases still held under their tokens to d from now and returns the ids it extended; a
// lease taken by another sender is not among them. An expired lease nobody took is still this sender's.
func (o *Outbox) Extend(ctx context.Context, leases []Lease, d time.Duration) (map[int64]bool, error) {
	ids, tokens := leaseArrays(leases)
	rows, err := o.pool.Query(ctx, `
		UPDATE outbox o SET lease_until = now() + $3::interval
		FROM unnest($1::bigint[], $2::bigint[]) AS l(id, token)
		WHERE o.id = ANY ($1) AND o.id = l.id AND o.lease_token = l.token AND o.state = 'sending'
		RETURNING o.id`, ids, tokens, d)
	if err != nil {
		return nil, fmt.Errorf("messenger: extend %d leases: %w", len(leases), err)
	}
	held, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("messenger: extend %d leases: %w", len(leases), err)
	}
	m := make(map[int64]bool, len(held))
	for _, id := range held {
		m[id] = true
	}
	return m, nil
}

func leaseArrays(leases []Lease) (ids, tokens []int64) {
	ids, tokens = make([]int64, len(leases)), make([]int64, len(leases))
	for i, l := range leases {
		ids[i], tokens[i] = l.ID, l.Token
	}
	return ids, tokens
}

// Delivered is a message the messenger accepted.
type Delivered struct {
	Lease
	Ref string // the messenger's reference of the message
	At  time.Time
}

// MarkSent records a batch of deliveries in one statement, each under its lease token, and returns the ids it
// could not record because another sender had claimed them since (those messages may have gone twice). Recording
// a delivery twice is harmless, so a batch whose commit went unanswered may be written again. The token alone
// decides (only this sender's claim wrote it, and nothing but a claim changes it): a filter on the state as well
// made PostgreSQL plan the statement at three times the cost.
func (o *Outbox) MarkSent(ctx context.Context, batch []Delivered) (lost []int64, err error) {
	if len(batch) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(batch))
	tokens := make([]int64, len(batch))
	refs := make([]string, len(batch))
	ats := make([]time.Time, len(batch))
	for i, d := range batch {
		ids[i], tokens[i], refs[i], ats[i] = d.ID, d.Token, d.Ref, d.At
	}
	rows, err := o.pool.Query(ctx, `
		WITH delivered AS (
		    UPDATE outbox o SET state = 'sent', message_ref = d.ref, sent_at = d.at, lease_until = NULL, last_error = ''
		    FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::bigint[]) AS d(id, ref, at, token)
		    WHERE o.id = ANY ($1) AND o.id = d.id AND o.lease_token = d.token
		    RETURNING o.id, o.bot_id, o.chat_id, o.sent_at
		), spaced AS (
		    UPDATE outbox q SET not_before = d.sent_at + interval '1 second'
		    FROM delivered d
		    WHERE q.chat_id = ANY (ARRAY(SELECT chat_id FROM delivered)) AND q.bot_id = d.bot_id AND q.chat_id = d.chat_id
		      AND q.state = 'queued' AND q.not_before < d.sent_at + interval '1 second'
		)
		SELECT id FROM delivered`,
		ids, refs, ats, tokens)
	if err != nil {
		return nil, fmt.Errorf("messenger: mark %d messages sent: %w", len(batch), err)
	}
	recorded, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("messenger: mark %d messages sent: %w", len(batch), err)
	}
	if len(recorded) == len(batch) {
		return nil, nil
	}
	done := make(map[int64]bool, len(recorded))
	for _, id := range recorded {
		done[id] = true
	}
	for _, id := range ids {
		if !done[id] {
			lost = append(lost, id)
		}
	}
	return lost, nil
}

// Retry returns a message to the queue, due at notBefore, if l still holds it. countAttempt false gives back the
// attempt (a flood wait or a shutdown is not the message's fault). A counted attempt reached the messenger and
// may have been delivered: the chat gets nothing more for a second, this message included.
func (o *Outbox) Retry(ctx context.Context, l Lease, notBefore time.Time, reason string, countAttempt bool) error {
	_, err := o.pool.Exec(ctx, `
		WITH retried AS (
		    UPDATE outbox SET state = 'queued', last_error = $3, lease_until = NULL,
		           not_before = CASE WHEN $4 THEN greatest($2, now() + interval '1 second') ELSE $2 END,
		           attempts = CASE WHEN $4 THEN attempts ELSE greatest(attempts - 1, 0) END
		    WHERE id = $1 AND lease_token = $5 AND state = 'sending'
		    RETURNING bot_id, chat_id
		)
		UPDATE outbox q SET not_before = now() + interval '1 second'
		FROM retried r
		WHERE $4 AND q.bot_id = r.bot_id AND q.chat_id = r.chat_id AND q.id <> $1 AND q.state = 'queued' AND q.not_before < now() + interval '1 second'`,
		l.ID, notBefore, reason, countAttempt, l.Token)
	if err != nil {
		return fmt.Errorf("messenger: retry outbox %d: %w", l.ID, err)
	}
	return nil
}

// Fail gives up on a message l still holds.
func (o *Outbox) Fail(ctx context.Context, l Lease, reason string) error {
	_, err := o.pool.Exec(ctx, `
		UPDATE outbox SET state = 'failed', last_error = $2, lease_until = NULL
		WHERE id = $1 AND lease_token = $3 AND state = 'sending'`, l.ID, reason, l.Token)
	if err != nil {
		return fmt.Errorf("messenger: fail outbox %d: %w", l.ID, err)
	}
	return nil
}

// CancelUnreachable cancels claimed messages whose chat blocked the bot, messages on a channel the channel policy
// closed since they were queued (whoever queued them), and campaign messages to clients who opted out since they
// were queued, in this chat or on any messenger (by their phone, or a chat that spoke for them); it returns the ids
// it cancelled. The bot's own confirmation of an opt-out still goes, where the policy allows.
func (o *Outbox) CancelUnreachable(ctx context.Context, ids []int64) (map[int64]bool, error) {
	rows, err := o.pool.Query(ctx, `
		WITH claimed AS (
		    SELECT o.id, `+writableSQL("o.channel")+` AS writable, c.status, c.phone,
		           o.campaign_id IS NOT NULL AND (c.status = 'opted_out'
		               OR EXISTS (SELECT FROM opt_outs x WHERE x.lifted_at IS NULL AND x.phone = c.phone)
		               OR EXISTS (SELECT FROM opt_outs x WHERE x.lifted_at IS NULL
		                          AND x.client_id = (SELECT l.client_id FROM leads l WHERE l.id = o.lead_id))) AS opted_out,
		           `+policyReasonSQL("o.channel")+` AS policy
		    FROM outbox o LEFT JOIN contacts c ON c.bot_id = o.bot_id AND c.chat_id = o.chat_id
		    WHERE o.id = ANY($1)
		)
		UPDATE outbox o SET state = 'cancelled', lease_until = NULL,
		       last_error = CASE WHEN NOT k.writable THEN k.policy
		                         WHEN k.status = 'blocked' THEN $2 ELSE $3 END
		FROM claimed k
		WHERE o.id = k.id AND (NOT k.writable OR k.status = 'blocked' OR coalesce(k.opted_out, false))
		RETURNING o.id`, ids, reasonClientBlocked, reasonClientOptedOut)
	if err != nil {
		return nil, fmt.Errorf("messenger: cancel unreachable: %w", err)
	}
	cancelled := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		cancelled[id] = true
	}
	return cancelled, rows.Err()
}

// policyReasonSQL is the outbox's record of why the channel policy stopped a message on the channel ch names: the
// policy's own message (Refusal), recorded (msg.Record) so that it is shown in the reader's language.
func policyReasonSQL(ch string) string {
	return `CASE WHEN ` + ch + ` = 'telegram' AND (SELECT foreign_messengers FROM channel_policy) = 'deny'
		THEN CASE ` + ch + policyDenied + ` END
		ELSE CASE ` + ch + policyDisabled + ` END END`
}

// policyDenied and policyDisabled are the WHEN arms of policyReasonSQL, a record for each channel, built once.
var policyDenied, policyDisabled = policyArms()

func policyArms() (denied, disabled string) {
	for _, c := range Channels {
		denied += " WHEN " + quoteSQL(c) + " THEN " + quoteSQL(msg.Record(msg.New("messenger.foreign_denied", titles[c])))
		disabled += " WHEN " + quoteSQL(c) + " THEN " + quoteSQL(msg.Record(msg.New("messenger.channel_disabled", titles[c])))
	}
	return denied, disabled
}

// quoteSQL is s as an SQL string literal.
func quoteSQL(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// The outbox's records of why a message was not sent, as msg.Record keeps them.
var (
	reasonClientBlocked  = msg.Record(msg.New("messenger.client_blocked"))
	reasonClientOptedOut = msg.Record(msg.New("messenger.client_opted_out"))
	reasonSenderStopped  = msg.Record(msg.New("messenger.sender_stopped"))
)
