package reports

import (
	"context"
	"fmt"
	"time"
)

// Filter narrows every dashboard panel: a period and, when set, one lead kind, campaign, operator and channel.
// A dialog's kind is its lead's; its campaign the one whose message it answered; its operator, for a client
// message, whoever answered it and otherwise whoever holds the dialog.
type Filter struct {
	Period
	Kind       string // "" for every kind
	CampaignID int64  // 0 for every campaign
	OperatorID int64  // 0 for everyone
	Channel    string // "" for every channel, or one of Channels
}

// ChannelTelegram and ChannelMAX are the channels a message goes through (messenger.Telegram, messenger.MAX).
const (
	ChannelTelegram = "telegram"
	ChannelMAX      = "max"
)

// Channels are the channels the filter offers, in order.
var Channels = []string{ChannelTelegram, ChannelMAX}

// The channel a conversation and an outbox message went through, as SQL on the aliases cv and o.
const (
	conversationChannel = `cv.channel`
	outboxChannel       = `o.channel`
)

// args are the query parameters every filtered query takes, in this order: $1 from, $2 to, $3 kind, $4 campaign,
// $5 operator, $6 channel.
func (f Filter) args(more ...any) []any {
	return append([]any{f.From, f.To, f.Kind, f.CampaignID, f.OperatorID, f.Channel}, more...)
}

func (f Filter) String() string {
	return fmt.Sprintf("%v kind=%q campaign=%d operator=%d channel=%q", f.Period, f.Kind, f.CampaignID, f.OperatorID, f.Channel)
}

// dialogWhere narrows conversations cv, joined to their lead l (left), by kind, campaign and channel; the operator
// is each query's own (who answered, who closed).
const dialogWhere = `($3::text = '' OR l.kind = $3::text) AND ($4::bigint = 0 OR cv.campaign_id = $4::bigint)
	AND ($6::text = '' OR ` + conversationChannel + ` = $6::text)`

// Days cuts p into the days of zone, the first and last cut to p; a day with a clock change is 23 or 25 hours.
func Days(p Period, zone *time.Location) []Period {
	var out []Period
	for day := midnight(p.From.In(zone)); day.Before(p.To); day = day.AddDate(0, 0, 1) {
		out = append(out, Period{maxTime(day, p.From), minTime(day.AddDate(0, 0, 1), p.To)})
	}
	return out
}

// Weeks cuts p into the weeks of zone, Monday to Sunday, the first and last cut to p.
func Weeks(p Period, zone *time.Location) []Period {
	var out []Period
	start := midnight(p.From.In(zone))
	start = start.AddDate(0, 0, -((int(start.Weekday()) + 6) % 7))
	for week := start; week.Before(p.To); week = week.AddDate(0, 0, 7) {
		out = append(out, Period{maxTime(week, p.From), minTime(week.AddDate(0, 0, 7), p.To)})
	}
	return out
}

// bounds are the buckets' starts and ends as the arrays the queries unnest: the buckets are cut in Go, in the
// bank's zone, since a zone's name (Local, say) need not be one PostgreSQL knows.
func bounds(buckets []Period) (starts, ends []time.Time) {
	for _, b := range buckets {
		starts, ends = append(starts, b.From), append(ends, b.To)
	}
	return starts, ends
}

// Choice is one option of a filter: a campaign (with its lead kind) or an operator.
type Choice struct {
	ID         int64
	Name, Kind string
}

// FilterChoices are what the filter offers: every campaign that is not cancelled, by name, and everyone who may work
// dialogs (operators, also those switched off since, whose past dialogs count, and supervisors), by name.
func (rp *Reports) FilterChoices(ctx context.Context) (campaigns, operators []Choice, err error) {
	for _, q := range []struct {
		sql string
		out *[]Choice
	}{
		{`SELECT id, name, lead_kind FROM campaigns WHERE status <> 'cancelled' ORDER BY name, id`, &campaigns},
		{`SELECT id, coalesce(nullif(display_name, ''), login), '' FROM users
		  WHERE role IN ('operator', 'supervisor') ORDER BY 2, 1`, &operators},
	} {
		rows, err := rp.pool.Query(ctx, q.sql)
		if err != nil {
			return nil, nil, fmt.Errorf("reports: filter choices: %w", err)
		}
		for rows.Next() {
			var c Choice
			if err := rows.Scan(&c.ID, &c.Name, &c.Kind); err != nil {
				rows.Close()
				return nil, nil, fmt.Errorf("reports: filter choices: %w", err)
			}
			*q.out = append(*q.out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, fmt.Errorf("reports: filter choices: %w", err)
		}
	}
	return campaigns, operators, nil
}
