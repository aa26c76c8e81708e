package dialog

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// EventsChannel is the NOTIFY channel that carries new event ids to every instance.
const EventsChannel = "dozvon_events"

// Event kinds an operator's or supervisor's screen reacts to.
const (
	EventMessage    = "message"     // a client or operator message in a conversation
	EventWaiting    = "waiting"     // a conversation entered a queue
	EventAssigned   = "assigned"    // a conversation was assigned (or transferred) to an operator
	EventSLAWarning = "sla_warning" // a client message is close to the SLA target unanswered
	EventSLABreach  = "sla_breach"  // a client message passed the SLA target unanswered
	EventOutcome    = "outcome"     // an operator recorded an outcome
	EventClosed     = "closed"      // a conversation was closed
	EventPresence   = "presence"    // an operator went online, away or offline
	EventDelivery   = "delivery"    // an operator's message was delivered (or failed)
	EventTyping     = "typing"      // someone is typing
	EventCSAT       = "csat"        // a client rated a closed conversation
)

// Event is one row of the events table: something a screen must learn, with a growing id. A client that saw
// event N asks for everything after N, so nothing is lost or repeated across reconnects and instances.
type Event struct {
	ID             int64  `json:"id"`
	Kind           string `json:"kind"`
	ConversationID *int64 `json:"conversation_id,omitempty"`
	// OperatorID addresses the event to one operator; nil means every operator of QueueID (or everyone).
	OperatorID *int64          `json:"operator_id,omitempty"`
	QueueID    *int64          `json:"queue_id,omitempty"`
	Payload    json.RawMessage `json:"payload"`
	CreatedAt  time.Time       `json:"created_at"`
}

// Execer is a pool or a transaction: an event is published in the transaction of the change it reports, so it
// exists exactly when the change does.
type Execer interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Publish records an event and notifies every instance (the NOTIFY is delivered when the transaction commits).
func Publish(ctx context.Context, db Execer, e Event) (int64, error) {
	if len(e.Payload) == 0 {
		e.Payload = json.RawMessage(`{}`)
	}
	var id int64
	err := db.QueryRow(ctx, `
		WITH ev AS (
		    INSERT INTO events (kind, conversation_id, operator_id, queue_id, payload)
		    VALUES ($1, $2, $3, $4, $5) RETURNING id
		)
		SELECT id FROM ev, pg_notify('`+EventsChannel+`', (SELECT id FROM ev)::text) AS n`,
		e.Kind, e.ConversationID, e.OperatorID, e.QueueID, []byte(e.Payload)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("dialog: publish %s: %w", e.Kind, err)
	}
	return id, nil
}

// Events reads the events table.
type Events struct{ pool *pgxpool.Pool }

// NewEvents returns an events reader on pool.
func NewEvents(pool *pgxpool.Pool) *Events { return &Events{pool: pool} }

// After returns up to limit events with id greater than after, oldest first.
func (ev *Events) After(ctx context.Context, after int64, limit int) ([]Event, error) {
	rows, err := ev.pool.Query(ctx, `
		SELECT id, kind, conversation_id, operator_id, queue_id, payload, created_at
		FROM events WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("dialog: events after %d: %w", after, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) {
		var e Event
		err := r.Scan(&e.ID, &e.Kind, &e.ConversationID, &e.OperatorID, &e.QueueID, &e.Payload, &e.CreatedAt)
		return e, err
	})
}

// Last returns the newest event id (0 when there is none): a new screen starts from here.
func (ev *Events) Last(ctx context.Context) (int64, error) {
	var id int64
	err := ev.pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM events`).Scan(&id)
	return id, err
}

// Listen calls fn with each new event id any instance publishes, until ctx ends or the connection fails.
func (ev *Events) Listen(ctx context.Context, fn func(id int64)) error {
	conn, err := ev.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("dialog: listen: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+EventsChannel); err != nil {
		return fmt.Errorf("dialog: listen: %w", err)
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if id, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
			fn(id)
		}
	}
}

// Writers returns the transactions that hold the events table's write lock now. Event ids are taken when a row is
// inserted but become visible when its transaction commits, which need not be in id order; an id that a reader
// finds missing below a visible one belongs to one of these transactions, or to none (rolled back). Once all of
// them have ended, the missing id is either visible or never will be.
func (ev *Events) Writers(ctx context.Context) ([]string, error) {
	rows, err := ev.pool.Query(ctx, `
		SELECT virtualtransaction FROM pg_locks
		WHERE locktype = 'relation' AND relation = 'events'::regclass AND mode = 'RowExclusiveLock' AND granted
		  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)
	if err != nil {
		return nil, fmt.Errorf("dialog: event writers: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
