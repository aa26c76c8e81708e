package messenger

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/internal/msg"
)

// The foreign-messenger policies. Federal Law 41-FZ of 01.04.2025 (in force since 1 June 2025) forbids banks to
// inform or correspond with their clients through foreign messengers on Roskomnadzor's list; a bank in Russia sets
// Deny, a business elsewhere keeps Allow.
const (
	ForeignAllow = "allow"
	ForeignDeny  = "deny"
)

// Foreign says whether a channel is a foreign messenger in the sense of 41-FZ: Telegram is on Roskomnadzor's list,
// MAX is the national messenger.
func Foreign(channel string) bool { return channel == Telegram }

// titles are the channels as people name them, in either language.
var titles = map[string]string{Telegram: "Telegram", MAX: "MAX"}

// Policy is the installation's channel policy: which channels Dozvon writes on, and whether it writes on foreign
// messengers at all. It decides where Dozvon may write, whoever writes (a campaign, an operator, the bot itself);
// receiving is not its business: what a client sends is stored and shown whatever the policy.
type Policy struct {
	Enabled           []string // the channels Dozvon writes on
	ForeignMessengers string   // ForeignAllow or ForeignDeny
	// UpdatedBy is the administrator who set the policy; nil: it is the environment's (DOZVON_FOREIGN_MESSENGERS).
	UpdatedBy *int64
	UpdatedAt time.Time
}

// DefaultPolicy is the policy of an installation that never set one: every channel, foreign messengers allowed.
func DefaultPolicy() Policy {
	return Policy{Enabled: slices.Clone(Channels), ForeignMessengers: ForeignAllow}
}

// Refusal says why Dozvon may not write on channel, as a message for a person; nil when it may.
func (p Policy) Refusal(channel string) *msg.Error {
	switch {
	case !slices.Contains(Channels, channel):
		return msg.New("messenger.unknown_channel", channel)
	case Foreign(channel) && p.ForeignMessengers == ForeignDeny:
		return msg.New("messenger.foreign_denied", titles[channel])
	case !slices.Contains(p.Enabled, channel):
		return msg.New("messenger.channel_disabled", titles[channel])
	}
	return nil
}

// Writable says whether Dozvon may write on channel.
func (p Policy) Writable(channel string) bool { return p.Refusal(channel) == nil }

// Filter keeps the channels of list Dozvon may write on, in list's order.
func (p Policy) Filter(list []string) []string {
	var out []string
	for _, ch := range list {
		if p.Writable(ch) {
			out = append(out, ch)
		}
	}
	return out
}

// Validate checks a policy an administrator submits.
func (p *Policy) Validate() error {
	if p.ForeignMessengers != ForeignAllow && p.ForeignMessengers != ForeignDeny {
		return msg.In("foreign_messengers", "messenger.foreign_policy", p.ForeignMessengers)
	}
	for _, ch := range p.Enabled {
		if !slices.Contains(Channels, ch) {
			return msg.In("enabled", "messenger.unknown_channel", ch)
		}
	}
	if len(p.Enabled) == 0 {
		return msg.In("enabled", "messenger.no_channel_enabled")
	}
	// Stored in Channels' order, each once.
	p.Enabled = slices.DeleteFunc(slices.Clone(Channels), func(ch string) bool { return !slices.Contains(p.Enabled, ch) })
	return nil
}

// writableSQL is the SQL condition that Dozvon may write on the channel the expression ch names, under the policy
// in force: the same rule as Policy.Refusal, read from the table by the statement that acts on it, so that a
// change made on another instance holds from its commit. An installation that never stored a policy has the
// default one.
func writableSQL(ch string) string {
	return `coalesce((SELECT ` + ch + ` = ANY (p.enabled) AND NOT (` + ch + ` = 'telegram' AND p.foreign_messengers = 'deny')
		FROM channel_policy p), true)`
}

// Policies keeps the installation's channel policy (the table channel_policy).
type Policies struct {
	pool *pgxpool.Pool
}

// NewPolicies returns the policy store on pool.
func NewPolicies(pool *pgxpool.Pool) *Policies { return &Policies{pool: pool} }

// Get returns the policy in force.
func (s *Policies) Get(ctx context.Context) (Policy, error) {
	return LoadPolicy(ctx, s.pool)
}

// LoadPolicy reads the policy in force through db (a pool, or the transaction that acts on it).
func LoadPolicy(ctx context.Context, db querier) (Policy, error) {
	p := DefaultPolicy()
	err := db.QueryRow(ctx, `SELECT enabled, foreign_messengers, updated_by, updated_at FROM channel_policy`).
		Scan(&p.Enabled, &p.ForeignMessengers, &p.UpdatedBy, &p.UpdatedAt)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return p, fmt.Errorf("messenger: channel policy: %w", err)
	}
	return p, nil
}

// FromEnvironment stores the environment's foreign-messenger policy (DOZVON_FOREIGN_MESSENGERS) as the one in force,
// unless an administrator has set one: theirs is a decision taken in the UI, and a restart does not undo it. Every
// instance does this at start; the row is one, so they agree. It returns the policy in force after it.
func (s *Policies) FromEnvironment(ctx context.Context, foreign string) (Policy, error) {
	p := DefaultPolicy()
	p.ForeignMessengers = foreign
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO channel_policy (foreign_messengers) VALUES ($1)
		ON CONFLICT (id) DO UPDATE SET foreign_messengers = excluded.foreign_messengers, updated_at = now()
		WHERE channel_policy.updated_by IS NULL AND channel_policy.foreign_messengers <> excluded.foreign_messengers`,
		foreign)
	if err != nil {
		return Policy{}, fmt.Errorf("messenger: channel policy from the environment: %w", err)
	}
	return s.Get(ctx)
}

// Set stores the policy an administrator chose and returns it as stored. Messages already queued on a channel it
// closes are cancelled by the senders before they go (Outbox.CancelUnreachable).
func (s *Policies) Set(ctx context.Context, p Policy, by int64) (Policy, error) {
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO channel_policy (enabled, foreign_messengers, updated_by) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, foreign_messengers = excluded.foreign_messengers,
		       updated_by = excluded.updated_by, updated_at = now()`, p.Enabled, p.ForeignMessengers, by)
	if err != nil {
		return Policy{}, fmt.Errorf("messenger: set the channel policy: %w", err)
	}
	return s.Get(ctx)
}
