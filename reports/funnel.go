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

// Reply is contactability ("successful communication"): leads that replied of leads written to.
func (f Funnel) Reply() Share { return Share{f.Replied, f.Written} }

// Consent is a share of the leads that replied: the chat team's funnel starts at the reply.
func (f Funnel) Consent() Share { return Share{f.Consented, f.Replied} }

// Convert is conversion on the bank's base: a share of the consents, for every kind ("25% от согласия", "40,4%
// после повторного согласия", "5,1% от согласий").
func (f Funnel) Convert() Share { return Share{f.Converted, f.Consented} }

// ConvertOfReplies is conversion as the bank's own targets put it, "accounts opened after successful
// communications": a share of the leads that replied.
func (f Funnel) ConvertOfReplies() Share { return Share{f.Converted, f.Replied} }

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

// The cohort is every lead a campaign's message reached in a bucket of the period; a lead written to by two
// campaigns counts once in its kind and the total and once in each campaign. Replies and outcomes count whenever
// they happened. With an operator chosen, a reply counts when that operator worked the lead's dialog, and so do
// the consent and the conversion after it: the leads written to stay the whole cohort.
const funnelCTE = `
	WITH buckets AS (
	    SELECT * FROM unnest($7::timestamptz[], $8::timestamptz[]) AS b(starts, ends)
	), written AS (
	    SELECT DISTINCT b.starts, o.lead_id, o.campaign_id, l.kind
	    FROM outbox o JOIN leads l ON l.id = o.lead_id
	    JOIN buckets b ON o.sent_at >= b.starts AND o.sent_at < b.ends
	    WHERE o.campaign_id IS NOT NULL AND o.state = 'sent' AND o.sent_at >= $1 AND o.sent_at < $2
	      AND ($3::text = '' OR l.kind = $3::text) AND ($4::bigint = 0 OR o.campaign_id = $4::bigint)
	      AND ($6::text = '' OR ` + outboxChannel + ` = $6::text)
	), replies AS (
	    SELECT w.*,
	           EXISTS (SELECT FROM conversations cv WHERE cv.lead_id = w.lead_id
	                   AND ($5::bigint = 0 OR cv.operator_id = $5::bigint)) AS replied
	    FROM written w
	), funnel AS (
	    SELECT r.*,
	           ($5::bigint = 0 OR r.replied)
	           AND EXISTS (SELECT FROM outcomes oc WHERE oc.lead_id = r.lead_id AND oc.kind = 'consent') AS consented,
	           ($5::bigint = 0 OR r.replied)
	           AND EXISTS (SELECT FROM outcomes oc WHERE oc.lead_id = r.lead_id
	                   AND oc.kind = CASE r.kind WHEN 'acquiring' THEN 'acquiring_connected' ELSE 'account_opened' END)
	               AS converted
	    FROM replies r
	)`

const funnelCounts = `count(DISTINCT f.lead_id), count(DISTINCT f.lead_id) FILTER (WHERE f.replied),
	       count(DISTINCT f.lead_id) FILTER (WHERE f.consented), count(DISTINCT f.lead_id) FILTER (WHERE f.converted)`

const conversionSQL = funnelCTE + `
	SELECT coalesce(f.kind, ''), coalesce(f.campaign_id, 0), coalesce(min(cp.name), ''), ` + funnelCounts + `
	FROM funnel f JOIN campaigns cp ON cp.id = f.campaign_id
	GROUP BY GROUPING SETS ((f.kind), (f.kind, f.campaign_id), ())
	ORDER BY min(cp.name), f.campaign_id`

// Conversion returns the funnel of the leads written to in the filter's period.
func (rp *Reports) Conversion(ctx context.Context, f Filter) (Conversion, error) {
	c := Conversion{ByKind: make([]Funnel, len(Kinds))}
	for i, k := range Kinds {
		c.ByKind[i].Kind = k
	}
	starts, ends := bounds([]Period{f.Period})
	var rolled *variants
	if rp.hourly(f.Period) {
		rolled = &conversionRolled
	}
	rows, err := rp.panelQuery(ctx, f, rolled, f.args(starts, ends), conversionSQL, f.args(starts, ends))
	if err != nil {
		return c, fmt.Errorf("reports: conversion %v: %w", f, err)
	}
	defer rows.Close()
	for rows.Next() {
		var fu Funnel
		if err := rows.Scan(&fu.Kind, &fu.CampaignID, &fu.Campaign, &fu.Written, &fu.Replied, &fu.Consented, &fu.Converted); err != nil {
			return c, fmt.Errorf("reports: conversion: %w", err)
		}
		switch {
		case fu.CampaignID != 0:
			c.ByCampaign = append(c.ByCampaign, fu)
		case fu.Kind == "":
			fu.Campaign = ""
			c.Total = fu
		default:
			for i := range c.ByKind {
				if c.ByKind[i].Kind == fu.Kind {
					fu.Campaign = ""
					c.ByKind[i] = fu
				}
			}
		}
	}
	return c, rows.Err()
}

// FunnelPoint is the funnel of the leads written to in one bucket (a day, a week) of a trend.
type FunnelPoint struct {
	Start time.Time // the bucket's start, in the zone it was cut in
	Funnel
}

const trendSQL = funnelCTE + `
	SELECT b.starts, ` + funnelCounts + `
	FROM buckets b LEFT JOIN funnel f ON f.starts = b.starts
	GROUP BY b.starts ORDER BY b.starts`

// FunnelTrend returns the filter's funnel in each bucket (Days or Weeks of its period), empty buckets included.
func (rp *Reports) FunnelTrend(ctx context.Context, f Filter, buckets []Period) ([]FunnelPoint, error) {
	starts, ends := bounds(buckets)
	var rolled *variants
	if rp.hourly(f.Period) && rp.hourly(buckets...) {
		rolled = &trendRolled
	}
	rows, err := rp.panelQuery(ctx, f, rolled, f.args(starts, ends), trendSQL, f.args(starts, ends))
	if err != nil {
		return nil, fmt.Errorf("reports: funnel trend %v: %w", f, err)
	}
	defer rows.Close()
	var out []FunnelPoint
	for rows.Next() {
		var p FunnelPoint
		if err := rows.Scan(&p.Start, &p.Written, &p.Replied, &p.Consented, &p.Converted); err != nil {
			return nil, fmt.Errorf("reports: funnel trend: %w", err)
		}
		p.Kind = f.Kind
		out = append(out, p)
	}
	for i := range out {
		if i < len(buckets) {
			out[i].Start = out[i].Start.In(buckets[i].From.Location())
		}
	}
	return out, rows.Err()
}
