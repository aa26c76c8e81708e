package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/internal/msg"
	"dozvon/messenger"
)

// Store owns the campaigns package's tables.
type Store struct {
	pool *pgxpool.Pool
	// Now is the clock of schedules, quiet hours and lead ages; tests set it.
	Now func() time.Time
	// BotUsername makes invitation links of the environment's Telegram bot; set once the messenger knows it.
	BotUsername string
	// Policies is the installation's channel policy, read at each run: where campaigns may write.
	Policies *messenger.Policies
	bots     *messenger.Bots
	// Gateway posts invitations to campaigns' SMS gateways (GatewayClient).
	Gateway *http.Client

	chunk      int       // leads a run handles per transaction (runChunk; tests make it small)
	afterChunk func(Run) // tests: called after each chunk of a run is committed
}

// NewStore returns a Store on pool.
func NewStore(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool, Now: time.Now, BotUsername: "dozvon_bot", Gateway: GatewayClient(false),
		Policies: messenger.NewPolicies(pool), bots: messenger.NewBots(pool)}
}

// InputError is a problem with what a manager entered, safe to show them: a coded message about a field.
type InputError = msg.Error

// Campaign statuses.
const (
	StatusDraft     = "draft"
	StatusActive    = "active"
	StatusPaused    = "paused"
	StatusCancelled = "cancelled"
)

// Campaign is a broadcast to one kind of lead, on a schedule or run by hand.
type Campaign struct {
	ID           int64
	Name         string
	Description  string
	LeadKind     string
	Status       string
	Audience     Audience
	Template     Template
	TemplateID   *int64
	Schedule     string // cron, optionally "CRON_TZ=Europe/Moscow 0 10 * * 1-5"; empty: by hand only
	QuietFrom    string // "21:00", the client's local time
	QuietTo      string // "09:00"
	FrequencyCap time.Duration
	// InviteWebhook receives leads without a chat (an SMS gateway); empty: export them as CSV instead.
	InviteWebhook string
	// Channels are the messengers the campaign may write on, in its order of preference for each client (MAX
	// first, then Telegram, say); the installation's policy may close some of them. Empty: DefaultChannels.
	Channels  []string
	CreatedBy *int64
	CreatedAt time.Time
	UpdatedAt time.Time
	LastSlot  *time.Time
}

// Validate checks a campaign and its template, schedule and audience.
func (c *Campaign) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.Name == "" || utf8.RuneCountInString(c.Name) > 120:
		return msg.In("name", "campaigns.name_length", 1, 120)
	case !ValidKind(c.LeadKind):
		return msg.In("lead_kind", "campaigns.lead_kind")
	}
	if _, err := Compile(c.Template); err != nil {
		return err
	}
	if c.Schedule = strings.TrimSpace(c.Schedule); c.Schedule != "" {
		if _, err := ParseSchedule(c.Schedule); err != nil {
			return err
		}
	}
	if c.QuietFrom == "" {
		c.QuietFrom = "21:00"
	}
	if c.QuietTo == "" {
		c.QuietTo = "09:00"
	}
	for field, v := range map[string]string{"quiet_from": c.QuietFrom, "quiet_to": c.QuietTo} {
		if _, err := time.Parse("15:04", v); err != nil {
			return msg.In(field, "campaigns.not_time", v)
		}
	}
	if c.FrequencyCap < 0 || c.FrequencyCap > 90*24*time.Hour {
		return msg.In("frequency_cap", "campaigns.frequency_cap", 0, 90)
	}
	if c.InviteWebhook != "" {
		u, err := url.Parse(c.InviteWebhook)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return msg.In("invite_webhook", "campaigns.invite_webhook")
		}
	}
	if len(c.Channels) == 0 {
		c.Channels = slices.Clone(DefaultChannels)
	}
	if err := validChannels(c.Channels); err != nil {
		return err
	}
	return c.Audience.Validate()
}

// Create saves a new campaign as a draft.
func (s *Store) Create(ctx context.Context, c Campaign) (Campaign, error) {
	if err := c.Validate(); err != nil {
		return Campaign{}, err
	}
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var templateID int64
		if err := tx.QueryRow(ctx, `
			INSERT INTO message_templates (name, body, buttons) VALUES ($1, $2, $3) RETURNING id`,
			c.Name, c.Template.Body, buttonsJSON(c.Template.Buttons)).Scan(&templateID); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `
			INSERT INTO campaigns (name, description, lead_kind, status, audience, template_id, schedule,
			                       quiet_from, quiet_to, frequency_cap, invite_webhook, created_by, channels)
			VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12)
			RETURNING id`,
			c.Name, c.Description, c.LeadKind, c.Audience, templateID, c.Schedule, c.QuietFrom, c.QuietTo,
			c.FrequencyCap, c.InviteWebhook, c.CreatedBy, c.Channels).Scan(&id)
	})
	if err != nil {
		return Campaign{}, fmt.Errorf("campaigns: create %q: %w", c.Name, err)
	}
	return s.Get(ctx, id)
}

// Update saves a changed campaign; its status is changed only by SetStatus.
func (s *Store) Update(ctx context.Context, c Campaign) (Campaign, error) {
	if err := c.Validate(); err != nil {
		return Campaign{}, err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE campaigns SET name = $2, description = $3, lead_kind = $4, audience = $5, schedule = $6,
			       quiet_from = $7, quiet_to = $8, frequency_cap = $9, invite_webhook = $10, channels = $11,
			       updated_at = now()
			WHERE id = $1`,
			c.ID, c.Name, c.Description, c.LeadKind, c.Audience, c.Schedule, c.QuietFrom, c.QuietTo,
			c.FrequencyCap, c.InviteWebhook, c.Channels)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		_, err = tx.Exec(ctx, `
			UPDATE message_templates SET name = $2, body = $3, buttons = $4, updated_at = now()
			WHERE id = (SELECT template_id FROM campaigns WHERE id = $1)`,
			c.ID, c.Name, c.Template.Body, buttonsJSON(c.Template.Buttons))
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return Campaign{}, err
	}
	if err != nil {
		return Campaign{}, fmt.Errorf("campaigns: update %d: %w", c.ID, err)
	}
	return s.Get(ctx, c.ID)
}

func buttonsJSON(b []Button) []byte {
	if b == nil {
		b = []Button{}
	}
	out, _ := json.Marshal(b)
	return out
}

const campaignColumns = `
	c.id, c.name, c.description, c.lead_kind, c.status, c.audience, c.template_id, coalesce(t.body, ''),
	coalesce(t.buttons, '[]'), c.schedule, to_char(c.quiet_from, 'HH24:MI'), to_char(c.quiet_to, 'HH24:MI'),
	c.frequency_cap, c.invite_webhook, c.created_by, c.created_at, c.updated_at, c.last_slot, c.channels`

func scanCampaign(row pgx.Row) (Campaign, error) {
	var c Campaign
	var buttons []byte
	err := row.Scan(&c.ID, &c.Name, &c.Description, &c.LeadKind, &c.Status, &c.Audience, &c.TemplateID,
		&c.Template.Body, &buttons, &c.Schedule, &c.QuietFrom, &c.QuietTo, &c.FrequencyCap, &c.InviteWebhook,
		&c.CreatedBy, &c.CreatedAt, &c.UpdatedAt, &c.LastSlot, &c.Channels)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, err
	}
	err = json.Unmarshal(buttons, &c.Template.Buttons)
	return c, err
}

// Get returns a campaign.
func (s *Store) Get(ctx context.Context, id int64) (Campaign, error) {
	c, err := scanCampaign(s.pool.QueryRow(ctx, `
		SELECT `+campaignColumns+` FROM campaigns c LEFT JOIN message_templates t ON t.id = c.template_id
		WHERE c.id = $1`, id))
	if err != nil && !errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("campaigns: get %d: %w", id, err)
	}
	return c, err
}

// Progress is a campaign's delivery figures.
type Progress struct {
	Queued, Sent, Failed, Cancelled, Replied, Runs int
	LastRunAt                                      *time.Time
}

// Done is the share of the campaign's messages that are settled (sent, failed or cancelled), 0-100.
func (p Progress) Done() int {
	total := p.Queued + p.Sent + p.Failed + p.Cancelled
	if total == 0 {
		return 0
	}
	return 100 * (p.Sent + p.Failed + p.Cancelled) / total
}

// Listed is a campaign with its progress, for the list page.
type Listed struct {
	Campaign
	Progress
}

// List returns every campaign but cancelled ones (unless all), newest first, with progress.
func (s *Store) List(ctx context.Context, all bool) ([]Listed, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+campaignColumns+`,
		       count(o.id) FILTER (WHERE o.state IN ('queued', 'sending', 'held')),
		       count(o.id) FILTER (WHERE o.state = 'sent'),
		       count(o.id) FILTER (WHERE o.state = 'failed'),
		       count(o.id) FILTER (WHERE o.state = 'cancelled'),
		       (SELECT count(DISTINCT cv.lead_id) FROM conversations cv
		         JOIN conversation_messages m ON m.conversation_id = cv.id AND m.direction = 'in'
		         WHERE cv.campaign_id = c.id),
		       (SELECT count(*) FROM campaign_runs r WHERE r.campaign_id = c.id),
		       (SELECT max(started_at) FROM campaign_runs r WHERE r.campaign_id = c.id)
		FROM campaigns c
		LEFT JOIN message_templates t ON t.id = c.template_id
		LEFT JOIN outbox o ON o.campaign_id = c.id
		WHERE $1 OR c.status <> 'cancelled'
		GROUP BY c.id, t.id
		ORDER BY c.id DESC`, all)
	if err != nil {
		return nil, fmt.Errorf("campaigns: list: %w", err)
	}
	defer rows.Close()
	var out []Listed
	for rows.Next() {
		var l Listed
		var buttons []byte
		c := &l.Campaign
		p := &l.Progress
		if err := rows.Scan(&c.ID, &c.Name, &c.Description, &c.LeadKind, &c.Status, &c.Audience, &c.TemplateID,
			&c.Template.Body, &buttons, &c.Schedule, &c.QuietFrom, &c.QuietTo, &c.FrequencyCap, &c.InviteWebhook,
			&c.CreatedBy, &c.CreatedAt, &c.UpdatedAt, &c.LastSlot, &c.Channels,
			&p.Queued, &p.Sent, &p.Failed, &p.Cancelled, &p.Replied, &p.Runs, &p.LastRunAt); err != nil {
			return nil, fmt.Errorf("campaigns: list: %w", err)
		}
		_ = json.Unmarshal(buttons, &c.Template.Buttons)
		out = append(out, l)
	}
	return out, rows.Err()
}

// ProgressOf returns one campaign's delivery figures.
func (s *Store) ProgressOf(ctx context.Context, id int64) (Progress, error) {
	var p Progress
	err := s.pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE state IN ('queued', 'sending', 'held')), count(*) FILTER (WHERE state = 'sent'),
		       count(*) FILTER (WHERE state = 'failed'), count(*) FILTER (WHERE state = 'cancelled'),
		       (SELECT count(DISTINCT cv.lead_id) FROM conversations cv
		         JOIN conversation_messages m ON m.conversation_id = cv.id AND m.direction = 'in'
		         WHERE cv.campaign_id = $1),
		       (SELECT count(*) FROM campaign_runs WHERE campaign_id = $1),
		       (SELECT max(started_at) FROM campaign_runs WHERE campaign_id = $1)
		FROM outbox WHERE campaign_id = $1`, id).
		Scan(&p.Queued, &p.Sent, &p.Failed, &p.Cancelled, &p.Replied, &p.Runs, &p.LastRunAt)
	if err != nil {
		return p, fmt.Errorf("campaigns: progress of %d: %w", id, err)
	}
	return p, nil
}

// SetStatus moves a campaign between draft, active (scheduled runs happen), paused and cancelled. Pausing or
// cancelling also holds back what its runs queued and has not been sent yet; resuming releases it.
func (s *Store) SetStatus(ctx context.Context, id int64, status string) error {
	allowed := map[string][]string{
		StatusActive:    {StatusDraft, StatusPaused},
		StatusPaused:    {StatusActive},
		StatusCancelled: {StatusDraft, StatusActive, StatusPaused},
	}
	from, ok := allowed[status]
	if !ok {
		return msg.In("status", "campaigns.unknown_status", status)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var current string
		err := tx.QueryRow(ctx, `SELECT status FROM campaigns WHERE id = $1 FOR UPDATE`, id).Scan(&current)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("campaigns: status of %d: %w", id, err)
		}
		okFrom := false
		for _, f := range from {
			okFrom = okFrom || f == current
		}
		if !okFrom {
			return msg.In("status", "campaigns.cannot_become", msg.New("campaigns.status_"+current), msg.New("campaigns.status_"+status))
		}
		// A campaign's schedule counts from its activation: slots before it are not made up for.
		if _, err := tx.Exec(ctx, `
			UPDATE campaigns SET status = $2, updated_at = now(),
			       last_slot = CASE WHEN $2 = 'active' THEN coalesce(last_slot, $3) ELSE last_slot END
			WHERE id = $1`, id, status, s.Now()); err != nil {
			return err
		}
		// A paused campaign's queued messages are held (the sender skips them) and keep their due time, so
		// quiet hours still hold after a resume; a cancelled campaign's are cancelled for good.
		switch status {
		case StatusPaused:
			_, err = tx.Exec(ctx, `UPDATE outbox SET state = 'held' WHERE campaign_id = $1 AND state = 'queued'`, id)
		case StatusActive:
			_, err = tx.Exec(ctx, `UPDATE outbox SET state = 'queued' WHERE campaign_id = $1 AND state = 'held'`, id)
		case StatusCancelled:
			_, err = tx.Exec(ctx, `UPDATE outbox SET state = 'cancelled', last_error = $2
				WHERE campaign_id = $1 AND state IN ('queued', 'held')`, id, msg.Record(msg.New("campaigns.send_cancelled")))
		}
		return err
	})
}
