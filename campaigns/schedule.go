package campaigns

import (
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"dozvon/internal/msg"
)

// The schedule syntax: five fields (minute hour day-of-month month day-of-week) or a descriptor (@daily), with an
// optional leading CRON_TZ=Area/City so "10:00" means 10:00 where the team works.
var scheduleParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule checks a cron expression and explains a mistake.
func ParseSchedule(expr string) (cron.Schedule, error) {
	expr = strings.TrimSpace(expr)
	if strings.HasPrefix(expr, "TZ=") {
		expr = "CRON_TZ=" + strings.TrimPrefix(expr, "TZ=")
	}
	sched, err := scheduleParser.Parse(expr)
	if err != nil {
		return nil, &InputError{Field: "schedule", Code: "campaigns.not_schedule", Args: []any{expr, cronProblem(err)}, Err: err}
	}
	// A schedule that fires every minute would flood the audience query and the team; once an hour at most... is
	// too strict for follow-ups, so the floor is 15 minutes.
	first := sched.Next(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	if second := sched.Next(first); second.Sub(first) < 15*time.Minute {
		return nil, msg.In("schedule", "campaigns.schedule_often", expr, second.Sub(first).String(), 15)
	}
	return sched, nil
}

// NextRuns returns the next n times a schedule fires after t, for the form's preview.
func NextRuns(expr string, after time.Time, n int) ([]time.Time, error) {
	sched, err := ParseSchedule(expr)
	if err != nil {
		return nil, err
	}
	out := make([]time.Time, 0, n)
	for t := after; len(out) < n; {
		t = sched.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out, nil
}
