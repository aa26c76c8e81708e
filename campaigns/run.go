package campaigns

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/internal/msg"
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

	lastLead int64 // every lead of the audience up to this id is handled
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

// runChunk is how many leads of an audience one transaction of a run handles: enough that a chunk's commit (an
// fsync) is a small part of what it costs. The first chunk is smaller, runFirstChunk: what the manager waits for
// after the click is the first message, and the first chunk's reading, writing and commit come before it.
const (
	runChunk      = 2000
	runFirstChunk = 200
)

// runLocks is the advisory lock space of runs being written (key 1; key 2 is the run's id). The instance writing a
// run holds its lock on the connection that reads the audience; if the instance dies, the lock goes with the
// connection, and ResumeRuns on any instance finishes the run from where it stopped.
const runLocks = 0x52554e // "RUN"

// RunSlot runs a campaign for one slot. It claims the slot (a unique (campaign, slot) row, so a slot runs once
// across instances), then queues the audience in chunks of leads in id order, each chunk its own transaction:
// a message to every reachable lead (due after the client's night) and an invitation to the leads without a chat.
// The sender is woken by the first chunk's commit, so it sends while the rest is written. A lead gets at most one
// message per campaign step, even when runs overlap, retry or resume: the outbox's unique (campaign, step, lead)
// key makes a second insert a no-op. The run row records how far it got with each chunk; a run interrupted
// (its context ended, its instance died) stays running and is finished by ResumeRuns.
func (s *Store) RunSlot(ctx context.Context, campaignID int64, slot time.Time, trigger string) (Run, error) {
	camp, err := s.Get(ctx, campaignID)
	if err != nil {
		return Run{}, err
	}
	switch {
	case camp.Status == StatusCancelled || camp.Status == StatusPaused:
		return Run{}, msg.In("status", "campaigns.does_not_run", msg.New("campaigns.status_"+camp.Status))
	case trigger == TriggerSchedule && camp.Status != StatusActive:
		return Run{}, msg.In("status", "campaigns.schedule_only_active")
	}
	tmpl, err := Compile(camp.Template)
	if err != nil {
		return Run{}, err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return Run{}, fmt.Errorf("campaigns: run %d for %s: %w", camp.ID, slot.Format(time.RFC3339), err)
	}
	run := Run{CampaignID: camp.ID, Slot: slot, Trigger: trigger, Status: "running"}
	defer func() { unlockRun(ctx, conn, run.ID) }()
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
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
		// A session's lock, taken before the run is visible: it outlives this transaction, and no other instance
		// can resume the run while this one writes it.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_lock($1, ($2::bigint & 2147483647)::int)`, runLocks, run.ID); err != nil {
			return err
		}
		if trigger == TriggerSchedule {
			_, err = tx.Exec(ctx, `UPDATE campaigns SET last_slot = greatest(last_slot, $2) WHERE id = $1`, camp.ID, slot)
		}
		return err
	})
	if errors.Is(err, ErrSlotTaken) {
		run.ID = 0
		return Run{}, err
	}
	if err != nil {
		return Run{}, fmt.Errorf("campaigns: run %d for %s: %w", camp.ID, slot.Format(time.RFC3339), err)
	}
	return s.stream(ctx, conn, camp, tmpl, run)
}

// ResumeRuns finishes the runs left unfinished: their instance died or stopped, or the database went away,
// mid-run. Each goes on from the last lead it recorded, on one instance (the one that takes the run's lock). It
// returns the runs it finished.
func (s *Store) ResumeRuns(ctx context.Context) ([]Run, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM campaign_runs WHERE status = 'running' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("campaigns: unfinished runs: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("campaigns: unfinished runs: %w", err)
	}
	var done []Run
	var errs []error // one run that fails to go on does not hold back the others
	for _, id := range ids {
		run, ok, err := s.resume(ctx, id)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			done = append(done, run)
		}
	}
	return done, errors.Join(errs...)
}

// resume finishes one unfinished run, unless another instance holds it or it has finished meanwhile.
func (s *Store) resume(ctx context.Context, id int64) (Run, bool, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return Run{}, false, fmt.Errorf("campaigns: resume run %d: %w", id, err)
	}
	var locked bool
	err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, ($2::bigint & 2147483647)::int)`, runLocks, id).Scan(&locked)
	if err != nil || !locked {
		conn.Release()
		if err != nil {
			return Run{}, false, fmt.Errorf("campaigns: resume run %d: %w", id, err)
		}
		return Run{}, false, nil
	}
	defer unlockRun(ctx, conn, id)
	run, err := scanRun(conn.QueryRow(ctx, `SELECT `+runColumns+` FROM campaign_runs WHERE id = $1`, id))
	if err != nil {
		return Run{}, false, fmt.Errorf("campaigns: resume run %d: %w", id, err)
	}
	if run.Status != "running" {
		return Run{}, false, nil // finished between the look and the lock
	}
	camp, err := s.Get(ctx, run.CampaignID)
	if err != nil {
		return Run{}, false, err
	}
	tmpl, err := Compile(camp.Template)
	if err != nil { // saved templates compile; this one was saved by a version that allowed what this one does not
		_, _ = conn.Exec(ctx, `UPDATE campaign_runs SET status = 'failed', error = $2, finished_at = clock_timestamp()
			WHERE id = $1`, id, msg.Record(err))
		return Run{}, false, err
	}
	run, err = s.stream(ctx, conn, camp, tmpl, run)
	return run, err == nil, err
}

// unlockRun lets the run's lock go and the connection back to the pool. If the unlock fails the connection is
// closed instead: a pooled connection that kept the lock would keep the run from being resumed.
func unlockRun(ctx context.Context, conn *pgxpool.Conn, id int64) {
	defer conn.Release()
	if id == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1, ($2::bigint & 2147483647)::int)`, runLocks, id); err != nil {
		_ = conn.Conn().Close(ctx)
	}
}

// chunk is one transaction's worth of an audience, read in lead id order.
type chunk struct {
	leads, chats []int64 // reachable: a message each, to the chat of a bot on a channel
	bots         []int64
	channels     []string
	texts        []string
	dues         []time.Time
	invite       []int64 // no chat yet: an invitation each
	audience     int
	excluded     int
	last         int64 // the chunk's last lead
}

// stream queues the run's audience after its last recorded lead and finishes the run. conn holds the run's lock;
// it reads the audience in one snapshot (a cursor, so the plan starts returning leads at once), while each chunk is
// written through the pool in its own transaction, with the run's figures and how far it got.
func (s *Store) stream(ctx context.Context, conn *pgxpool.Conn, camp Campaign, tmpl *compiled, run Run) (Run, error) {
	fail := func(err error) (Run, error) {
		return run, fmt.Errorf("campaigns: run %d of campaign %d: %w", run.ID, camp.ID, err)
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fail(err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	// Where the run may write is decided once, at its start (or its resumption): a change of the channel policy
	// meanwhile is the senders' to enforce, which cancel what it closes before sending.
	where, err := s.reachOf(ctx, camp)
	if err != nil {
		return fail(err)
	}
	// JIT compiling the audience query took longer than running it (it is planned afresh for every campaign), and
	// the hash of the campaign's clients spilled to temporary files at the default 4 MB work_mem. What the sender
	// waits for is the first chunk, a small share of an audience: the plan is chosen for returning that share soon
	// (lead by lead through the leads' primary key) rather than for the whole audience's cost (hash joins and a
	// sort, which return nothing before every lead is read).
	if _, err := tx.Exec(ctx, `SET LOCAL jit = off; SET LOCAL work_mem = '64MB'; SET LOCAL cursor_tuple_fraction = 0.02`); err != nil {
		return fail(err)
	}
	query, args := audienceCursor(camp, tmpl, s.Now(), run.lastLead, where.channels)
	if _, err := tx.Exec(ctx, `DECLARE run_audience NO SCROLL CURSOR FOR `+query, args); err != nil {
		return fail(fmt.Errorf("audience: %w", err))
	}
	buttons, _ := json.Marshal(markup(camp.ID, camp.Template.Buttons))
	fetch := fmt.Sprintf(`FETCH %d FROM run_audience`, cmp.Or(s.chunk, runFirstChunk))
	for run.Status == "running" {
		c, err := readChunk(ctx, tx, fetch, where.invite != "")
		fetch = fmt.Sprintf(`FETCH %d FROM run_audience`, cmp.Or(s.chunk, runChunk))
		if err != nil {
			return fail(fmt.Errorf("audience: %w", err))
		}
		if c.audience == 0 {
			break
		}
		if err := s.writeChunk(ctx, &run, c, string(buttons), where); err != nil {
			return fail(fmt.Errorf("queue leads %d-%d: %w", run.lastLead+1, c.last, err))
		}
		if s.afterChunk != nil && run.Status == "running" {
			s.afterChunk(run)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	err = conn.QueryRow(ctx, `
		UPDATE campaign_runs SET status = 'done', finished_at = clock_timestamp()
		WHERE id = $1 AND status = 'running'
		RETURNING `+runColumns, run.ID).Scan(run.fields()...)
	if errors.Is(err, pgx.ErrNoRows) { // cancelled on the way
		run, err = scanRun(conn.QueryRow(ctx, `SELECT `+runColumns+` FROM campaign_runs WHERE id = $1`, run.ID))
	}
	if err != nil {
		return fail(err)
	}
	if run.Enqueued > 5000 {
		// Fresh statistics keep the senders' claims on the index after a big run.
		_, _ = s.pool.Exec(ctx, `ANALYZE outbox`)
	}
	return run, nil
}

// audienceCursor is the query a run reads its audience with: every lead the rules select after the last one
// handled, in id order, with what to do for it (q: queue a message, i: invite, x: excluded, -: a chat the bot
// cannot write to now), the message's text and when it is due.
func audienceCursor(camp Campaign, tmpl *compiled, now time.Time, after int64, channels []string) (string, pgx.NamedArgs) {
	from, args := audienceSQL(camp, now, channels)
	args["after"] = after
	args["quiet_from"] = camp.QuietFrom
	args["quiet_to"] = camp.QuietTo
	n := 0
	text := tmpl.sqlExpr(func(v any) string {
		n++
		name := fmt.Sprintf("text_%d", n)
		args[name] = v
		return "@" + name
	})
	// The text is rendered for every lead, used only for those queued: naming the exclusions twice (to render only
	// for those) evaluated their subqueries twice for every lead.
	return `
		SELECT l.id, CASE WHEN NOT (` + notExcluded + `) THEN 'x' WHEN ch.chat_id IS NULL THEN 'i'
		           WHEN ch.status = 'active' THEN 'q' ELSE '-' END,
		       ch.channel, ch.bot_id, ch.chat_id, ` + text + `, ` + quietSQL + `
		` + from + `
		  AND l.id > @after
		ORDER BY l.id`, args
}

// readChunk reads the next chunk of the audience from the run's cursor. Without a channel to invite to (none the
// campaign may write on has a bot), a lead with no chat is unreachable, counted as excluded.
func readChunk(ctx context.Context, tx pgx.Tx, fetch string, canInvite bool) (chunk, error) {
	var c chunk
	rows, err := tx.Query(ctx, fetch)
	if err != nil {
		return c, err
	}
	var (
		todo    string
		channel *string
		bot     *int64
		chat    *int64
		text    *string
		due     time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&c.last, &todo, &channel, &bot, &chat, &text, &due}, func() error {
		c.audience++
		switch todo {
		case "x":
			c.excluded++
		case "i":
			if !canInvite {
				c.excluded++
				break
			}
			c.invite = append(c.invite, c.last)
		case "q":
			c.leads = append(c.leads, c.last)
			c.chats = append(c.chats, *chat)
			c.bots = append(c.bots, *bot)
			c.channels = append(c.channels, *channel)
			c.texts = append(c.texts, *text)
			c.dues = append(c.dues, due)
		}
		return nil
	})
	return c, err
}

// writeChunk queues and invites one chunk of the audience and records it on the run, in one transaction: a run
// that stops between chunks goes on from the last chunk recorded, with its figures right. Only the instance holding
// the run's lock writes it; the last lead recorded is checked all the same.
func (s *Store) writeChunk(ctx context.Context, run *Run, c chunk, buttons string, where reach) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The campaign's row, shared: a pause or a cancel (SetStatus locks it for update) happens wholly before or
		// after this chunk, so what it holds back or cancels includes this chunk or sees it written held.
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM campaigns WHERE id = $1 FOR SHARE`, run.CampaignID).Scan(&status); err != nil {
			return err
		}
		if status == StatusCancelled {
			run.Status = "cancelled"
			_, err := tx.Exec(ctx, `UPDATE campaign_runs SET status = 'cancelled', finished_at = clock_timestamp()
				WHERE id = $1 AND status = 'running'`, run.ID)
			return err
		}
		state := "queued"
		if status == StatusPaused {
			state = "held"
		}
		err := tx.QueryRow(ctx, `
			WITH queued AS (
			    INSERT INTO outbox (campaign_id, run_id, step, lead_id, channel, bot_id, chat_id, text, reply_markup,
			                        not_before, state)
			    SELECT @campaign, @run, 1, q.lead_id, q.channel, q.bot_id, q.chat_id, q.text,
			           nullif(@markup, 'null')::jsonb, q.due, @state
			    FROM unnest(@leads::bigint[], @channels::text[], @bots::bigint[], @chats::bigint[], @texts::text[],
			                @dues::timestamptz[])
			         AS q (lead_id, channel, bot_id, chat_id, text, due)
			    ON CONFLICT (campaign_id, step, lead_id) WHERE campaign_id IS NOT NULL DO NOTHING
			    RETURNING 1
			), invited AS (
			    INSERT INTO invitations (token, lead_id, campaign_id, channel, bot_id)
			    SELECT replace(gen_random_uuid()::text, '-', ''), i.lead_id, @campaign, @invite_channel, @invite_bot
			    FROM unnest(@invite::bigint[]) AS i (lead_id)
			    ON CONFLICT (lead_id, coalesce(campaign_id, 0)) DO NOTHING
			    RETURNING 1
			)
			UPDATE campaign_runs
			SET audience = audience + @audience, excluded = excluded + @excluded, last_lead_id = @last,
			    enqueued = enqueued + (SELECT count(*) FROM queued), invited = invited + (SELECT count(*) FROM invited)
			WHERE id = @run AND status = 'running' AND last_lead_id = @after
			RETURNING audience, enqueued, invited, excluded`, pgx.NamedArgs{
			"campaign": run.CampaignID, "run": run.ID, "markup": buttons, "state": state,
			"leads": c.leads, "channels": c.channels, "bots": c.bots, "chats": c.chats,
			"texts": c.texts, "dues": c.dues, "invite": c.invite,
			// the channel whose link the lead is sent: the most preferred one open that has a bot
			"invite_channel": where.invite, "invite_bot": where.inviteBot,
			"audience": c.audience, "excluded": c.excluded, "last": c.last, "after": run.lastLead,
		}).Scan(&run.Audience, &run.Enqueued, &run.Invited, &run.Excluded)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("the run was moved on or ended elsewhere")
		}
		if err != nil {
			return err
		}
		run.lastLead = c.last
		if len(c.leads) > 0 && state == "queued" {
			// Delivered at commit: the senders of every instance start on this chunk while the next is written.
			_, err = tx.Exec(ctx, `SELECT pg_notify('dozvon_outbox', '')`)
		}
		return err
	})
}

// runColumns are a run's columns, in the order of Run.fields.
const runColumns = `id, campaign_id, slot, trigger, status, audience, enqueued, invited, excluded, error, started_at,
	finished_at, last_lead_id`

func (r *Run) fields() []any {
	return []any{&r.ID, &r.CampaignID, &r.Slot, &r.Trigger, &r.Status, &r.Audience, &r.Enqueued, &r.Invited,
		&r.Excluded, &r.Error, &r.StartedAt, &r.FinishedAt, &r.lastLead}
}

func scanRun(row pgx.Row) (Run, error) {
	var r Run
	err := row.Scan(r.fields()...)
	return r, err
}

// Runs returns a campaign's runs, newest first.
func (s *Store) Runs(ctx context.Context, campaignID int64, limit int) ([]Run, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+runColumns+` FROM campaign_runs WHERE campaign_id = $1 ORDER BY slot DESC, id DESC LIMIT $2`,
		campaignID, limit)
	if err != nil {
		return nil, fmt.Errorf("campaigns: runs of %d: %w", campaignID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Run, error) { return scanRun(r) })
}
