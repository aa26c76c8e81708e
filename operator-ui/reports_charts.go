package operatorui

import (
	"fmt"
	"html/template"
	"math"
	"time"

	"dozvon/internal/svgchart"
	"dozvon/reports"
)

// The dashboard's charts, drawn on the server (internal/svgchart) from the same figures as the tables beside
// them, every word and number in the user's language.

type reportCharts struct {
	FunnelKinds, FunnelCampaigns, TrendDays, TrendWeeks template.HTML
	SLAHours, SLAOperators, Responses, CSAT, QA         template.HTML
	Channels                                            template.HTML
}

func buildCharts(locale string, d reportData) reportCharts {
	t := func(key string, args ...any) string { return T(locale, key, args...) }
	percent := func(v float64) string { return formatPercent(locale, v) }
	var c reportCharts

	kinds := d.Conversion.ByKind
	var kindNames []string
	for _, f := range kinds {
		kindNames = append(kindNames, t("kind."+f.Kind))
	}
	c.FunnelKinds = svgchart.Bars(funnelChart(locale, "chart-funnel-kinds", t("reports.chart_funnel_kinds"), kindNames, kinds))
	var campaignNames []string
	for _, f := range d.Conversion.ByCampaign {
		campaignNames = append(campaignNames, f.Campaign)
	}
	if len(campaignNames) > 0 {
		c.FunnelCampaigns = svgchart.Bars(funnelChart(locale, "chart-funnel-campaigns", t("reports.chart_funnel_campaigns"),
			campaignNames, d.Conversion.ByCampaign))
	}
	c.TrendDays = svgchart.Columns(trendChart(locale, "chart-trend-days", t("reports.chart_trend_days"), d.ByDay, false))
	c.TrendWeeks = svgchart.Columns(trendChart(locale, "chart-trend-weeks", t("reports.chart_trend_weeks"), d.ByWeek, true))

	hours := svgchart.Chart{ID: "chart-sla-hours", Title: t("reports.chart_sla_hours"), Format: percent, Max: 100,
		Series: []svgchart.Series{{Name: t("reports.in_60")}}}
	for h, x := range d.Shape.ByHour {
		hours.Categories = append(hours.Categories, hourLabel(h))
		hours.Series[0].Values = append(hours.Series[0].Values, percentValue(x.AnsweredIn60()))
	}
	hours.Reference.Value, hours.Reference.Label = reports.ReferenceAnsweredIn60, t("reports.ref_short")
	c.SLAHours = svgchart.Columns(hours)

	ops := svgchart.Chart{ID: "chart-sla-operators", Title: t("reports.chart_sla_operators"), Format: percent, Max: 100,
		Series: []svgchart.Series{{Name: t("reports.in_60")}}}
	for _, o := range d.Operators {
		ops.Categories = append(ops.Categories, o.Name)
		ops.Series[0].Values = append(ops.Series[0].Values, percentValue(o.AnsweredIn60()))
		ops.Series[0].Labels = append(ops.Series[0].Labels, shareText(locale, o.AnsweredIn60())+" · "+
			t("reports.of_answered", formatInt(locale, o.Answered)))
	}
	ops.Reference.Value, ops.Reference.Label = reports.ReferenceAnsweredIn60, t("reports.ref_short")
	if len(ops.Categories) > 0 {
		c.SLAOperators = svgchart.Bars(ops)
	}

	c.Responses = svgchart.Columns(countChart(locale, "chart-responses", t("reports.chart_responses"), responseLabels(locale), d.Shape.Responses))
	c.CSAT = svgchart.Columns(countChart(locale, "chart-csat", t("reports.chart_csat"), csatLabels(), d.Shape.CSAT[:]))

	qa := svgchart.Chart{ID: "chart-qa", Title: t("reports.chart_qa"), Max: 100,
		Format: func(v float64) string { return formatDecimal(locale, v) }, Series: []svgchart.Series{{Name: t("reports.qa_score")}}}
	for _, p := range d.QATrend {
		qa.Categories = append(qa.Categories, shortTrendLabel(locale, p.Start, d.QATrendByWeeks))
		v := math.NaN()
		if p.Reviews > 0 {
			v = p.Score
		}
		qa.Series[0].Values = append(qa.Series[0].Values, v)
	}
	qa.Reference.Value, qa.Reference.Label = reports.ReferenceQATarget, t("reports.qa_target_row")
	c.QA = svgchart.Columns(qa)
	c.Channels = channelChart(locale, d.ByChannel)
	return c
}

// funnelChart is a funnel's four steps for each of its rows (kinds, campaigns), each step written with its count
// and its share on the step's base.
func funnelChart(locale, id, title string, names []string, funnels []reports.Funnel) svgchart.Chart {
	steps := []string{"reports.written", "reports.replied", "reports.consented", "reports.converted"}
	c := svgchart.Chart{ID: id, Title: title, Categories: names, Format: func(v float64) string { return formatInt(locale, int(v)) }}
	for _, s := range steps {
		c.Series = append(c.Series, svgchart.Series{Name: T(locale, s)})
	}
	for _, f := range funnels {
		counts := []int{f.Written, f.Replied, f.Consented, f.Converted}
		shares := []reports.Share{{}, f.Reply(), f.Consent(), f.Convert()}
		for s, n := range counts {
			label := formatInt(locale, n)
			if s > 0 {
				label += " · " + shareText(locale, shares[s])
			}
			c.Series[s].Values = append(c.Series[s].Values, float64(n))
			c.Series[s].Labels = append(c.Series[s].Labels, label)
		}
	}
	return c
}

func trendChart(locale, id, title string, points []reports.FunnelPoint, weeks bool) svgchart.Chart {
	c := svgchart.Chart{ID: id, Title: title, Format: func(v float64) string { return formatInt(locale, int(math.Round(v))) }}
	for _, s := range []string{"reports.written", "reports.replied", "reports.consented", "reports.converted"} {
		c.Series = append(c.Series, svgchart.Series{Name: T(locale, s)})
	}
	for _, p := range points {
		c.Categories = append(c.Categories, shortTrendLabel(locale, p.Start, weeks))
		for s, n := range []int{p.Written, p.Replied, p.Consented, p.Converted} {
			c.Series[s].Values = append(c.Series[s].Values, float64(n))
		}
	}
	return c
}

func countChart(locale, id, title string, labels []string, counts []int) svgchart.Chart {
	c := svgchart.Chart{ID: id, Title: title, Categories: labels, Format: func(v float64) string { return formatInt(locale, int(math.Round(v))) },
		Series: []svgchart.Series{{Name: T(locale, "reports.count")}}}
	for _, n := range counts {
		c.Series[0].Values = append(c.Series[0].Values, float64(n))
		c.Series[0].Labels = append(c.Series[0].Labels, formatInt(locale, n))
	}
	return c
}

// percentValue is a share's percentage, NaN (no bar) for a share of nothing.
func percentValue(s reports.Share) float64 {
	if pct, ok := s.Percent(); ok {
		return pct
	}
	return math.NaN()
}

func hourLabel(h int) string { return fmt.Sprintf("%02d", h) }

// responseLabels name the response-time histogram's bins: "up to 15 s" ... "over 10 min".
func responseLabels(locale string) []string {
	var out []string
	for _, l := range reports.ResponseLimits {
		out = append(out, T(locale, "reports.up_to", durationLabel(locale, l)))
	}
	return append(out, T(locale, "reports.over", durationLabel(locale, reports.ResponseLimits[len(reports.ResponseLimits)-1])))
}

func durationLabel(locale string, d time.Duration) string {
	if d < time.Minute {
		return T(locale, "reports.seconds", int(d.Seconds()))
	}
	return T(locale, "reports.minutes", int(d.Minutes()))
}

func csatLabels() []string { return []string{"1", "2", "3", "4", "5"} }

// dayLabel is a day as the user's language writes it: 23.11.2026 in Russian, 23 Nov 2026 in English.
func dayLabel(locale string, t time.Time) string {
	if locale == "ru" {
		return t.Format("02.01.2006")
	}
	return t.Format("2 Jan 2006")
}

// shortDay is a day on a chart's axis: 23.11 in Russian, 23 Nov in English.
func shortDay(locale string, t time.Time) string {
	if locale == "ru" {
		return t.Format("02.01")
	}
	return t.Format("2 Jan")
}

func weekLabel(locale string, start time.Time) string {
	return T(locale, "reports.week_of", dayLabel(locale, start))
}

func trendLabel(locale string, start time.Time, weeks bool) string {
	if weeks {
		return weekLabel(locale, start)
	}
	return dayLabel(locale, start)
}

func shortTrendLabel(locale string, start time.Time, weeks bool) string {
	if weeks {
		return T(locale, "reports.week_of", shortDay(locale, start))
	}
	return shortDay(locale, start)
}
