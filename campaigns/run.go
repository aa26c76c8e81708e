package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Run is one execution of a campaign.
type Run struct {
	ID         int64
	CampaignID int64
	Slot       time.Time
	Trigger    string
	Status     string
	Audience   int // leads the rules selected
	Enqueued   int // messages queued to chats
	Invited    int // leads without a chat that got an invitation
	Excluded   int // opted out, blocked, in a dialog, capped or already offered
	Error      string
	StartedAt  time.Time
	FinishedAt *time.Time
}

// ErrSlotTaken is returned when this schedule slot of the campaign has already run (on this or another
// instance): the unique (campaign, slot) row is what makes a run happen once.
var ErrSlotTaken = errors.New("campaigns: this slot already ran")

// Triggers of a run.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
)

// RunNow derives fresh leads and runs a campaign by hand, at the current time as its slot.
func (s *Store) RunNow(ctx context.Context, campaignID int64) (Run, error) {
	if _, err := s.DeriveLeads(ctx, s.Now()); err != nil {
		return Run{}, err
	}
	return s.RunSlot(ctx, campaignID, s.Now().Truncate(time.Millisecond), TriggerManual)
}

// RunSlot runs a campaign for one slot: in one transaction it claims the slot, queues a
// message to every reachable lead of the audience with one INSERT ... SELECT (each due after the client's night),
// and creates invitations for the leads without a chat. A lead gets at most one message per campaign step, even
// when runs overlap or retry: the outbox's unique (campaign, step, lead) key makes the second insert a no-op.
func (s *Store) RunSlot(ctx context.Context, campaignID int64, slot time.Time, trigger string) (Run, error) {
	camp, err := s.Get(ctx, campaignID)
	if err != nil {
		return Run{}, err
	}
	switch {
	case camp.Status == StatusCancelled || camp.Status == StatusPaused:
		return Run{}, &InputError{"status", fmt.Sprintf("a %s campaign does not run", camp.Status)}
	case trigger == TriggerSchedule && camp.Status != StatusActive:
		return Run{}, &InputError{"status", "only active campaigns run on schedule"}
	}
	tmpl, err := Compile(camp.Template)
	if err != nil {
		return Run{}, err
	}
	run := Run{CampaignID: camp.ID, Slot: slot, Trigger: trigger, Status: "done"}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO campaign_runs (campaign_id, slot, trigger) VALUES ($1, $2, $3)
			ON CONFLICT (campaign_id, slot) DO NOTHING
			RETURNING id, started_at`, camp.ID, slot, trigger).Scan(&run.ID, &run.StartedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrSlotTaken
		}
		if err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, camp, tmpl, &run); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			UPDATE campaign_runs SET status = 'done', audience = $2, enqueued = $3, invited = $4, excluded = $5,
			       finished_at = clock_timestamp()
			WHERE id = $1`, run.ID, run.Audience, run.Enqueued, run.Invited, run.Excluded)
		if err != nil {
			return err
		}
		if trigger == TriggerSchedule {
			_, err = tx.Exec(ctx, `UPDATE campaigns SET last_slot = greatest(last_slot, $2) WHERE id = $1`, camp.ID, slot)
		}
		return err
	})
	if errors.Is(err, ErrSlotTaken) {
		return Run{}, err
	}
	if err != nil {
		return Run{}, fmt.Errorf("campaigns: run %d for %s: %w", camp.ID, slot.Format(time.RFC3339), err)
	}
	if run.Enqueued > 0 {
		// Notify the senders of every instance; fresh statistics keep their claims on the index after a big run.
		_, _ = s.pool.Exec(ctx, `SELECT pg_notify('dozvon_outbox', '')`)
		if run.Enqueued > 5000 {
			_, _ = s.pool.Exec(ctx, `ANALYZE outbox`)
		}
	}
	return run, nil
}

func (s *Store) enqueue(ctx context.Context, tx pgx.Tx, camp Campaign, tmpl *compiled, run *Run) error {
	from, args := audienceSQL(camp, s.Now())
	args["run"] = run.ID
	args["quiet_from"] = camp.QuietFrom
	args["quiet_to"] = camp.QuietTo
	buttons, _ := json.Marshal(markup(camp.ID, camp.Template.Buttons))
	args["markup"] = string(buttons)
	n := 0
	text := tmpl.sqlExpr(func(v any) string {
		n++
		name := fmt.Sprintf("text_%d", n)
		args[name] = v
		return "@" + name
	})
	// JIT compiling this statement took longer than running it (it is planned afresh for every campaign). The
	// materialised audience (100,000 rendered messages are about 20 MB) and the hash of the campaign's clients
	// spilled to temporary files at the default 4 MB work_mem, to be written once and read four times.
	if _, err := tx.Exec(ctx, `SET LOCAL jit = off; SET LOCAL work_mem = '64MB'`); err != nil {
		return err
	}
	// One pass over the audience: it is materialised once, then counted, queued and invited from. Whether a lead
	// was offered is the outbox's to say; copying it onto the lead cost a second write of every row.
	err := tx.QueryRow(ctx, `
		WITH audience AS MATERIALIZED (
		    SELECT l.id AS lead_id, l.status, ch.chat_id, ch.status AS chat_status, `+notExcluded+` AS included,
		           `+text+` AS text, `+quietSQL+` AS due
		    `+from+`
		), queued AS (
		    INSERT INTO outbox (campaign_id, run_id, step, lead_id, chat_id, text, reply_markup, not_before)
		    SELECT @campaign, @run, 1, lead_id, chat_id, text, nullif(@markup, 'null')::jsonb, due
		    FROM audience WHERE included AND chat_id IS NOT NULL AND chat_status = 'active'
		    ORDER BY lead_id -- the unique key's order: each insert lands beside the last one
		    ON CONFLICT (campaign_id, step, lead_id) WHERE campaign_id IS NOT NULL DO NOTHING
		    RETURNING lead_id
		), invited AS (
		    INSERT INTO invitations (token, lead_id, campaign_id)
		    SELECT replace(gen_random_uuid()::text, '-', ''), lead_id, @campaign
		    FROM audience WHERE included AND chat_id IS NULL
		    ON CONFLICT (lead_id, coalesce(campaign_id, 0)) DO NOTHING
		    RETURNING 1
		)
		SELECT (SELECT count(*) FROM audience), (SELECT count(*) FROM audience WHERE NOT included),
		       (SELECT count(*) FROM queued), (SELECT count(*) FROM invited)`, args).
		Scan(&run.Audience, &run.Excluded, &run.Enqueued, &run.Invited)
	if err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	return nil
}

// Runs returns a campaign's runs, newest first.
func (s *Store) Runs(ctx context.Context, campaignID int64, limit int) ([]Run, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, campaign_id, slot, trigger, status, audience, enqueued, invited, excluded, error, started_at, finished_at
		FROM campaign_runs WHERE campaign_id = $1 ORDER BY slot DESC, id DESC LIMIT $2`, campaignID, limit)
	if err != nil {
		return nil, fmt.Errorf("campaigns: runs of %d: %w", campaignID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Run, error) {
		var run Run
		err := r.Scan(&run.ID, &run.CampaignID, &run.Slot, &run.Trigger, &run.Status, &run.Audience, &run.Enqueued,
			&run.Invited, &run.Excluded, &run.Error, &run.StartedAt, &run.FinishedAt)
		return run, err
	})
}
