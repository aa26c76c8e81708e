package campaigns

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"dozvon/internal/msg"
)

// Audience narrows a campaign's lead kind down to the leads it writes to. Zero values mean "no condition".
type Audience struct {
	MinAgeHours  int               `json:"min_age_hours,omitempty"` // eligible at least this long
	MaxAgeDays   int               `json:"max_age_days,omitempty"`  // eligible at most this long
	MinAttempts  int               `json:"min_attempts,omitempty"`  // unanswered call attempts, at least
	OKVEDInclude []string          `json:"okved_include,omitempty"` // codes or prefixes
	OKVEDExclude []string          `json:"okved_exclude,omitempty"`
	Regions      []string          `json:"regions,omitempty"`
	Segments     []string          `json:"segments,omitempty"`
	Attributes   map[string]string `json:"attributes,omitempty"` // the client's custom attributes must equal these
}

// Validate checks an audience's rules.
func (a *Audience) Validate() error {
	switch {
	case a.MinAgeHours < 0 || a.MinAgeHours > 24*365:
		return msg.In("audience", "campaigns.min_age", 0, 24*365)
	case a.MaxAgeDays < 0 || a.MaxAgeDays > 365:
		return msg.In("audience", "campaigns.max_age", 0, 365)
	case a.MinAttempts < 0 || a.MinAttempts > 20:
		return msg.In("audience", "campaigns.attempts", 0, 20)
	}
	for _, list := range [][]string{a.OKVEDInclude, a.OKVEDExclude} {
		for _, code := range list {
			if !okvedRe.MatchString(code) {
				return msg.In("audience", "campaigns.okved", code)
			}
		}
	}
	a.Regions = compact(a.Regions)
	a.Segments = compact(a.Segments)
	return nil
}

func compact(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// audienceSQL is the FROM and WHERE of a campaign's audience: the campaign's leads that its rules select, with
// their client (c), application (a) and best chat (ch): on the channels the campaign may write on now (channels,
// in its order of preference; the policy has removed the closed ones), the chat the bot can write to on the most
// preferred channel, through a bot that is on. A lead with chats only elsewhere has none here, and is invited. The exclusions that always apply are in the flags
// (opted_out, blocked, in_dialog, capped, offered) so one query can both count them and leave them out.
// Conditions are fixed SQL; only the rules decide which are present, and every value is a named argument.
func audienceSQL(camp Campaign, now time.Time, channels []string) (string, pgx.NamedArgs) {
	args := pgx.NamedArgs{"campaign": camp.ID, "kind": camp.LeadKind, "now": now, "cap": camp.FrequencyCap,
		"channels": channels}
	where := []string{"l.kind = @kind", "l.status IN ('new', 'offered')", "l.eligible_at <= @now"}
	a := camp.Audience
	if a.MinAgeHours > 0 {
		where = append(where, "l.eligible_at <= @now::timestamptz - make_interval(hours => @min_age_hours)")
		args["min_age_hours"] = a.MinAgeHours
	}
	if a.MaxAgeDays > 0 {
		where = append(where, "l.eligible_at >= @now::timestamptz - make_interval(days => @max_age_days)")
		args["max_age_days"] = a.MaxAgeDays
	}
	if a.MinAttempts > 0 {
		where = append(where, `(SELECT count(*) FROM application_events e
			WHERE e.application_id = l.application_id AND e.kind = 'call_attempt') >= @min_attempts`)
		args["min_attempts"] = a.MinAttempts
	}
	if len(a.OKVEDInclude) > 0 {
		where = append(where, "EXISTS (SELECT FROM unnest(@okved_in::text[]) p WHERE c.okved = p OR c.okved LIKE p || '.%')")
		args["okved_in"] = a.OKVEDInclude
	}
	if len(a.OKVEDExclude) > 0 {
		where = append(where, "NOT EXISTS (SELECT FROM unnest(@okved_out::text[]) p WHERE c.okved = p OR c.okved LIKE p || '.%')")
		args["okved_out"] = a.OKVEDExclude
	}
	if len(a.Regions) > 0 {
		where = append(where, "c.region = ANY(@regions)")
		args["regions"] = a.Regions
	}
	if len(a.Segments) > 0 {
		where = append(where, "c.segment = ANY(@segments)")
		args["segments"] = a.Segments
	}
	if len(a.Attributes) > 0 {
		where = append(where, "c.attributes @> @attributes")
		args["attributes"] = a.Attributes
	}
	return `
		FROM leads l
		JOIN clients c ON c.id = l.client_id
		LEFT JOIN applications a ON a.id = l.application_id
		CROSS JOIN LATERAL (SELECT @now::timestamptz AT TIME ZONE c.timezone AS local) lt
		LEFT JOIN LATERAL (
		    SELECT ct.id AS contact_id, ct.channel, ct.bot_id, ct.chat_id, ct.status
		    FROM contact_leads cl JOIN contacts ct ON ct.id = cl.contact_id
		    WHERE cl.lead_id = l.id AND ct.channel = ANY (@channels::text[])
		      AND EXISTS (SELECT FROM bots b WHERE b.id = ct.bot_id AND b.enabled)
		    ORDER BY ct.status = 'active' DESC, array_position(@channels::text[], ct.channel), cl.linked_at DESC
		    LIMIT 1
		) ch ON true
		CROSS JOIN LATERAL (SELECT
		    -- An opt-out holds on every channel: said in this chat, or by the client (their phone, or a chat that
		    -- spoke for them) on any messenger.
		    coalesce(ch.status = 'opted_out', false)
		      OR EXISTS (SELECT FROM opt_outs o WHERE o.lifted_at IS NULL AND o.phone = c.phone)
		      OR EXISTS (SELECT FROM opt_outs o WHERE o.lifted_at IS NULL AND o.client_id = l.client_id)
		      OR EXISTS (SELECT FROM opt_outs o WHERE o.lifted_at IS NULL AND o.bot_id = ch.bot_id
		                 AND o.chat_id = ch.chat_id) AS opted_out,
		    coalesce(ch.status = 'blocked', false) AS blocked,
		    EXISTS (SELECT FROM conversations cv WHERE cv.contact_id = ch.contact_id AND cv.status <> 'closed') AS in_dialog,
		    -- What depends on the outbox is two hashed sets, each read once per statement before the first lead:
		    -- a run writes the outbox while it reads its audience, and a plan that scans the outbox again for every
		    -- lead (chosen when the outbox's statistics say it is empty, as before a first run) reads every row the
		    -- run has written so far, for every lead: a 100,000-message run went quadratic. Joined to the leads as
		    -- sets instead, after a big run (the outbox's statistics counting 100,000 recent messages) the planner
		    -- read all leads into hash joins and sorted them, returning nothing before the last lead. The recent
		    -- messages' clients are found through the leads' primary key, one message at a time, so building the
		    -- set reads the recent messages, not all the leads.
		    l.id IN (SELECT o.lead_id FROM outbox o
		             WHERE o.campaign_id = @campaign AND o.step = 1 AND o.lead_id IS NOT NULL) AS offered,
		    l.client_id IN (SELECT (SELECT l2.client_id FROM leads l2 WHERE l2.id = o.lead_id) FROM outbox o
		                    WHERE o.campaign_id IS NOT NULL AND o.lead_id IS NOT NULL
		                      AND o.state NOT IN ('failed', 'cancelled')
		                      AND o.created_at > @now::timestamptz - @cap::interval) AS capped
		) x
		WHERE ` + strings.Join(where, "\n\t\t  AND "), args
}

// Excluded is the condition that removes a lead from every audience.
const notExcluded = `NOT (x.opted_out OR x.blocked OR x.in_dialog OR x.offered OR x.capped)`

// Size is an audience's size, split as a manager needs it.
type Size struct {
	Eligible    int // leads the rules select
	Reachable   int // of those, with a chat the bot can write to now
	NeedsInvite int // no chat yet: an invitation (SMS with a deep link) is needed
	OptedOut    int
	Blocked     int
	InDialog    int
	Capped      int // written to by some campaign within the frequency cap
	Offered     int // this campaign already wrote to them
}

// AudienceSize counts a campaign's audience now, with the reasons for exclusion.
func (s *Store) AudienceSize(ctx context.Context, camp Campaign) (Size, error) {
	if err := camp.Audience.Validate(); err != nil {
		return Size{}, err
	}
	channels, err := s.writable(ctx, camp)
	if err != nil {
		return Size{}, err
	}
	from, args := audienceSQL(camp, s.Now(), channels)
	var z Size
	err = s.pool.QueryRow(ctx, `
		SELECT count(*),
		       count(*) FILTER (WHERE `+notExcluded+` AND ch.chat_id IS NOT NULL AND ch.status = 'active'),
		       count(*) FILTER (WHERE `+notExcluded+` AND ch.chat_id IS NULL),
		       count(*) FILTER (WHERE x.opted_out),
		       count(*) FILTER (WHERE x.blocked),
		       count(*) FILTER (WHERE x.in_dialog),
		       count(*) FILTER (WHERE x.capped),
		       count(*) FILTER (WHERE x.offered) `+from, args).
		Scan(&z.Eligible, &z.Reachable, &z.NeedsInvite, &z.OptedOut, &z.Blocked, &z.InDialog, &z.Capped, &z.Offered)
	if err != nil {
		return z, fmt.Errorf("campaigns: audience of %d: %w", camp.ID, err)
	}
	return z, nil
}

// sampleLead returns the template values of the first lead of the audience, for a realistic preview, and true; the
// built-in samples and false when the audience is empty.
func (s *Store) sampleLead(ctx context.Context, camp Campaign) (map[string]string, bool, error) {
	channels, err := s.writable(ctx, camp)
	if err != nil {
		return nil, false, err
	}
	from, args := audienceSQL(camp, s.Now(), channels)
	cols := VariableNames
	row := s.pool.QueryRow(ctx, `SELECT `+variableColumns()+from+` AND `+notExcluded+` ORDER BY l.id LIMIT 1`, args)
	values := make([]string, len(cols))
	ptrs := make([]any, len(cols))
	for i := range values {
		ptrs[i] = &values[i]
	}
	if err := row.Scan(ptrs...); err != nil {
		if err == pgx.ErrNoRows {
			return SampleValues(), false, nil
		}
		return nil, false, fmt.Errorf("campaigns: sample lead of %d: %w", camp.ID, err)
	}
	out := map[string]string{}
	for i, v := range VariableNames {
		out[v] = values[i]
	}
	return out, true, nil
}

// quietSQL is the time a message to a client is due: now, or when the client's night (quietFrom..quietTo in
// the client's own time zone) ends. Russia spans eleven time zones; the bank's clock says nothing about theirs.
const quietSQL = `CASE
	WHEN CASE WHEN @quiet_from::time > @quiet_to::time
	          THEN lt.local::time >= @quiet_from::time OR lt.local::time < @quiet_to::time
	          ELSE lt.local::time >= @quiet_from::time AND lt.local::time < @quiet_to::time END
	THEN (date_trunc('day', lt.local) + @quiet_to::time
	      + CASE WHEN lt.local::time >= @quiet_to::time THEN interval '1 day' ELSE interval '0' END)
	     AT TIME ZONE c.timezone
	ELSE @now::timestamptz END`
