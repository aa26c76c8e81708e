package campaigns

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"
)

// Scheduler runs active campaigns when their schedules say. Every instance may run one: a slot runs once because
// campaign_runs has a unique (campaign, slot) row, which the first instance to get there inserts. It also finishes
// the runs, manual or scheduled, that an instance left unfinished (see ResumeRuns).
type Scheduler struct {
	Store    *Store
	Log      zerolog.Logger
	Interval time.Duration // how often to look for due slots (default 20 s)

	mu     sync.Mutex
	parsed map[string]cron.Schedule
}

// Run looks for due slots until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	if s.Interval == 0 {
		s.Interval = 20 * time.Second
	}
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error().Err(err).Msg("scheduler tick")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

type scheduled struct {
	id       int64
	schedule string
	from     time.Time
}

// Tick finishes the runs an instance left unfinished, then runs every campaign whose latest slot since its last
// run is due. After downtime only the latest missed
// slot runs: one broadcast, not a burst of catch-up broadcasts. It returns the runs it made.
func (s *Scheduler) Tick(ctx context.Context) ([]Run, error) {
	s.resume(ctx)
	now := s.Store.Now()
	rows, err := s.Store.pool.Query(ctx, `
		SELECT id, schedule, coalesce(last_slot, updated_at) FROM campaigns
		WHERE status = 'active' AND schedule <> ''`)
	if err != nil {
		return nil, fmt.Errorf("campaigns: scheduled campaigns: %w", err)
	}
	var due []scheduled
	for rows.Next() {
		var c scheduled
		if err := rows.Scan(&c.id, &c.schedule, &c.from); err != nil {
			rows.Close()
			return nil, fmt.Errorf("campaigns: scheduled campaigns: %w", err)
		}
		if slot, ok := s.dueSlot(c, now); ok {
			c.from = slot
			due = append(due, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(due) == 0 {
		return nil, err
	}
	if _, err := s.Store.DeriveLeads(ctx, now); err != nil {
		return nil, err
	}
	var runs []Run
	for _, c := range due {
		run, err := s.Store.RunSlot(ctx, c.id, c.from, TriggerSchedule)
		switch {
		case errors.Is(err, ErrSlotTaken):
			continue // another instance ran it
		case err != nil:
			s.Log.Error().Err(err).Int64("campaign_id", c.id).Msg("scheduled run failed")
			continue
		}
		s.Log.Info().Int64("campaign_id", c.id).Time("slot", c.from).Int("enqueued", run.Enqueued).
			Int("invited", run.Invited).Msg("campaign ran")
		runs = append(runs, run)
		if run.Invited > 0 {
			s.postInvitations(ctx, c.id)
		}
	}
	return runs, nil
}

// resume finishes the runs that an instance (this one before a restart, or another that died) left unfinished.
func (s *Scheduler) resume(ctx context.Context) {
	runs, err := s.Store.ResumeRuns(ctx)
	if err != nil && ctx.Err() == nil {
		s.Log.Error().Err(err).Msg("unfinished campaign runs not resumed; the next tick tries again")
	}
	for _, run := range runs {
		s.Log.Info().Int64("campaign_id", run.CampaignID).Int64("run_id", run.ID).Int("enqueued", run.Enqueued).
			Int("invited", run.Invited).Msg("unfinished campaign run finished")
		if run.Invited > 0 {
			s.postInvitations(ctx, run.CampaignID)
		}
	}
}

// postInvitations hands a run's new invitations to the campaign's SMS gateway, if it has one; what fails is
// posted by a later run.
func (s *Scheduler) postInvitations(ctx context.Context, campaignID int64) {
	camp, err := s.Store.Get(ctx, campaignID)
	if err != nil || camp.InviteWebhook == "" {
		return
	}
	if n, err := s.Store.PostInvitations(ctx, camp); err != nil {
		s.Log.Warn().Err(err).Int64("campaign_id", campaignID).Msg("invitations not posted; the next run retries")
	} else {
		s.Log.Info().Int("invitations", n).Int64("campaign_id", campaignID).Msg("invitations posted to the SMS gateway")
	}
}

// dueSlot finds the newest slot in (from, now].
func (s *Scheduler) dueSlot(c scheduled, now time.Time) (time.Time, bool) {
	sched, ok := s.schedule(c.schedule)
	if !ok {
		return time.Time{}, false
	}
	// Start no earlier than a day back: a long-stopped installation runs its latest slot, not a day of them.
	from := c.from
	if day := now.Add(-24 * time.Hour); from.Before(day) {
		from = day
	}
	var slot time.Time
	for next := sched.Next(from); !next.IsZero() && !next.After(now); next = sched.Next(next) {
		slot = next
	}
	return slot, !slot.IsZero()
}

func (s *Scheduler) schedule(expr string) (cron.Schedule, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sched, ok := s.parsed[expr]; ok {
		return sched, true
	}
	sched, err := ParseSchedule(expr)
	if err != nil {
		s.Log.Warn().Str("schedule", expr).Err(err).Msg("a saved schedule does not parse")
		return nil, false
	}
	if s.parsed == nil {
		s.parsed = map[string]cron.Schedule{}
	}
	s.parsed[expr] = sched
	return sched, true
}
