package reports

import (
	"context"
	"fmt"
	"time"
)

// Period is a half-open span of time, [From, To).
type Period struct{ From, To time.Time }

// Share is a part of a whole: N of Of. A share of nothing has no percentage.
type Share struct{ N, Of int }

// Percent is N as a percentage of Of; ok is false when Of is 0.
func (s Share) Percent() (pct float64, ok bool) {
	if s.Of == 0 {
		return 0, false
	}
	return 100 * float64(s.N) / float64(s.Of), true
}

// Funnel is the chat team's funnel for a cohort of leads: those a campaign wrote to in a period, and what became of
// them since, however much later (the bank confirms an account days after the consent).
type Funnel struct {
	Kind       string // lead kind; empty for the total of all kinds
	CampaignID int64  // 0 unless the funnel is one campaign's
	Campaign   string
	// Written: distinct leads with a campaign message sent in the period. Replied: of them, those with a
	// conversation. Consented: those with a consent. Converted: those with an opened account (missed calls,
	// follow-ups) or connected acquiring (cross-sell).
	Written, Replied, Consented, Converted int
}

// Reply is contactability: leads that replied of leads written to.
func (f Funnel) Reply() Share { return Share{f.Replied, f.Written} }

// Consent is a share of the leads that replied: the chat team's funnel starts at the reply.
func (f Funnel) Consent() Share { return Share{f.Consented, f.Replied} }

// Convert is a share of the consents for missed calls ("consent → account 25%") and of the leads that replied for
// the other kinds and the total, as internal/demo/history.go lays the reference figures out.
func (f Funnel) Convert() Share {
	if f.ConvertOfConsents() {
		return Share{f.Converted, f.Consented}
	}
	return Share{f.Converted, f.Replied}
}

// ConvertOfConsents tells whether Convert is a share of consents rather than of replies.
func (f Funnel) ConvertOfConsents() bool { return f.Kind == MissedCall }

// The lead kinds, in the order every report lists them.
const (
	MissedCall = "missed_call"
	FollowUp   = "follow_up"
	Acquiring  = "acquiring"
)

// Kinds is the order of the lead kinds in reports.
var Kinds = []string{MissedCall, FollowUp, Acquiring}

// Conversion is the funnel of a period by lead kind (always all three, in Kinds order), by campaign (by name), and
// in total.
type Conversion struct {
	ByKind     []Funnel
	ByCampaign []Funnel
	Total      Funnel
}

// The cohort is every lead a campaign's message reached in the period; a lead written to by two campaigns counts
// once in its kind and the total and once in each campaign. Replies and outcomes count whenever they happened.
const conversionSQL = `
	WITH written AS (
	    SELECT DISTINCT o.lead_id, o.campaign_id, l.kind
	    FROM outbox o JOIN leads l ON l.id = o.lead_id
	    WHERE o.campaign_id IS NOT NULL AND o.state = 'sent' AND o.sent_at >= $1 AND o.sent_at < $2
	), funnel AS (
	    SELECT w.*,
	           EXISTS (SELECT FROM conversations cv WHERE cv.lead_id = w.lead_id) AS replied,
	           EXISTS (SELECT FROM outcomes oc WHERE oc.lead_id = w.lead_id AND oc.kind = 'consent') AS consented,
	           EXISTS (SELECT FROM outcomes oc WHERE oc.lead_id = w.lead_id
	                   AND oc.kind = CASE w.kind WHEN 'acquiring' THEN 'acquiring_connected' ELSE 'account_opened' END)
	               AS converted
	    FROM written w
	)
	SELECT coalesce(f.kind, ''), coalesce(f.campaign_id, 0), coalesce(min(cp.name), ''),
	       count(DISTINCT f.lead_id),
	       count(DISTINCT f.lead_id) FILTER (WHERE f.replied),
	       count(DISTINCT f.lead_id) FILTER (WHERE f.consented),
	       count(DISTINCT f.lead_id) FILTER (WHERE f.converted)
	FROM funnel f JOIN campaigns cp ON cp.id = f.campaign_id
	GROUP BY GROUPING SETS ((f.kind), (f.kind, f.campaign_id), ())
	ORDER BY min(cp.name), f.campaign_id`

// Conversion returns the funnel of the leads written to in p.
func (rp *Reports) Conversion(ctx context.Context, p Period) (Conversion, error) {
	c := Conversion{ByKind: make([]Funnel, len(Kinds))}
	for i, k := range Kinds {
		c.ByKind[i].Kind = k
	}
	rows, err := rp.pool.Query(ctx, conversionSQL, p.From, p.To)
	if err != nil {
		return c, fmt.Errorf("reports: conversion %v: %w", p, err)
	}
	defer rows.Close()
	for rows.Next() {
		var f Funnel
		if err := rows.Scan(&f.Kind, &f.CampaignID, &f.Campaign, &f.Written, &f.Replied, &f.Consented, &f.Converted); err != nil {
			return c, fmt.Errorf("reports: conversion: %w", err)
		}
		switch {
		case f.CampaignID != 0:
			c.ByCampaign = append(c.ByCampaign, f)
		case f.Kind == "":
			f.Campaign = ""
			c.Total = f
		default:
			for i := range c.ByKind {
				if c.ByKind[i].Kind == f.Kind {
					f.Campaign = ""
					c.ByKind[i] = f
				}
			}
		}
	}
	return c, rows.Err()
}
