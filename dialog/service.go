package dialog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/campaigns"
	"dozvon/internal/msg"
)

// Service is the dialog core: it turns what clients write into conversations, routes them to operators, keeps
// the SLA clock, and records what operators do. Any number of instances may run one each on the same database;
// every decision that must happen once is guarded by a row lock or a unique key.
type Service struct {
	pool      *pgxpool.Pool
	campaigns *campaigns.Store
	log       zerolog.Logger

	// Now is the clock of every timestamp the dialog writes and every SLA comparison it makes; tests set it.
	Now func() time.Time
	// OfflineGrace is how long an operator may be offline (or silent: no heartbeat) before the conversations
	// waiting for their answer go back to the queue.
	OfflineGrace time.Duration
	// ReplyWindow is how old a campaign message may be and still be what a client's message answers.
	ReplyWindow time.Duration
	// BotIdle closes conversations the bot alone handled (an auto-reply button) after this long without a
	// message, so the client can be written to by campaigns again.
	BotIdle time.Duration
	// Tick is how often Run looks at SLA clocks, presence and waiting conversations.
	Tick time.Duration
	// EventRetention is how long events are kept for screens to catch up on; zero keeps them forever.
	EventRetention time.Duration
	// AckWrite is what the bot answers a campaign button that asks for a person ("Yes, write to me"), and
	// AckCallback one that asks for a phone call: what happens next, and when.
	AckWrite, AckCallback string
}

// New returns the dialog service on pool.
func New(pool *pgxpool.Pool, log zerolog.Logger) *Service {
	return &Service{
		pool:         pool,
		campaigns:    campaigns.NewStore(pool),
		log:          log,
		Now:          time.Now,
		OfflineGrace: 2 * time.Minute,
		ReplyWindow:  14 * 24 * time.Hour,
		BotIdle:      24 * time.Hour,
		Tick:         time.Second,
		// A week covers a console left closed over a long weekend.
		EventRetention: 7 * 24 * time.Hour,
		AckWrite:       textAckWrite,
		AckCallback:    textAckCallback,
	}
}

// Errors an operator's action can meet; screens show them as they are.
var (
	ErrNotFound       = errors.New("dialog: no such conversation")
	ErrClosed         = errors.New("dialog: the conversation is closed")
	ErrNotYours       = errors.New("dialog: the conversation is not assigned to this operator")
	ErrNoneWaiting    = errors.New("dialog: no conversation is waiting")
	ErrAtCapacity     = errors.New("dialog: the operator has no free capacity")
	ErrOperatorAbsent = errors.New("dialog: the operator is offline")
	ErrNotSupervisor  = errors.New("dialog: only a supervisor may reassign conversations or change operators")
	ErrNoOperator     = errors.New("dialog: no such operator on the team")
)

// InputError is a problem with what a person entered, safe to show them next to the field: a coded message.
type InputError = msg.Error

// now is the service clock, in UTC so that times compare and print alike.
func (s *Service) now() time.Time { return s.Now().UTC() }

// inTx runs fn in a transaction.
func (s *Service) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// publish records an event in the transaction of the change it reports.
func publish(ctx context.Context, tx pgx.Tx, kind string, convID, operatorID, queueID *int64, payload any) error {
	raw, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("dialog: %s event payload: %w", kind, err)
	}
	_, err = Publish(ctx, tx, Event{Kind: kind, ConversationID: convID, OperatorID: operatorID, QueueID: queueID,
		Payload: raw})
	return err
}

// settle assigns what can be assigned after a change. Its failure does not undo the change that called it: the
// ticker tries again within a second.
func (s *Service) settle(ctx context.Context) {
	if _, err := s.AssignWaiting(ctx); err != nil && ctx.Err() == nil {
		s.log.Error().Err(err).Msg("assign waiting conversations")
	}
}

func ptr[T any](v T) *T { return &v }
