package operatorui

import (
	"net/url"
	"strconv"
	"time"

	"dozvon/reports"
)

// The conversion report as the page shows it: every figure already written in the user's language, each share
// with its reference beside it and a cue whether it meets it.

type reportsView struct {
	Period    reportPeriod
	Filter    filterForm
	Quick     []reportLink
	Export    string     // the export's address, with the filter
	Drill     url.Values // the filter's drill-down filters (drill)
	Refusals  string     // the refusals report's address, with the filter
	Shown     bool       // false: the filter was not understood and only the form is shown
	Charts    reportCharts
	Weeks     []funnelRow // the funnel's trend by week, each row a week
	Hours     []hourRow
	Responses []countRow
	CSAT      []countRow
	QATrend   []qaRow
	Kinds     []funnelRow
	Total     funnelRow
	Campaigns []funnelRow
	Operators []operatorRow
	Days      []dayRow
	Service   dayRow // the whole period, against the references
	QA        qaFigure
	Channels  []channelRow // reports_channels.go
}

// qaFigure is the team's QA over the period beside the bank's target and the reference team's result.
type qaFigure struct {
	Reviews          string
	Score            shareCell // the average score, its target in Ref
	Target, RefScore string
}

type reportLink struct {
	Days    int
	Href    string
	Current bool
}

type funnelRow struct {
	Kind, Label                            string
	Written, Replied, Consented, Converted string
	Reply, Consent, Convert                shareCell
	ConvertOfReplies                       shareCell  // the bank's targets' base; Convert is of consents
	Drill                                  url.Values // the filter, by=written and the row's kind or campaign
}

// hourRow, countRow and qaRow are the rows of the tables beside the charts.
type hourRow struct {
	Label, Answered string
	InTime          shareCell
}

type countRow struct{ Label, Count, Share string }

type qaRow struct{ Label, Reviews, Score string }

// shareCell is a measured share; Ref and Cue are empty when the bank gives no reference for it.
type shareCell struct {
	Text, Ref string
	Cue       string // "meets": at the reference or within a point of it; "under": more than a point below
	Href      string // the dialogs behind it, when there is a list for it (drill)
}

type operatorRow struct {
	Name, Dialogs, Answered, Median, Consents, Conversions, Ratings, Average, Reviews string
	InTime, Top, QA                                                                   shareCell
	Drill                                                                             url.Values // the period and the operator
}

type dayRow struct {
	Label, Answered, Ratings string
	InTime, Top              shareCell
	Drill                    url.Values // the day (the whole period for the total)
}

// reportData is what the page and the export are made from.
type reportData struct {
	Conversion     reports.Conversion
	Operators      []reports.OperatorPeriod
	Days           []reports.ServiceDay
	QA             reports.QA
	ByDay, ByWeek  []reports.FunnelPoint
	Shape          reports.Shape
	QATrend        []reports.QAPoint
	QATrendByWeeks bool // the QA trend's buckets are weeks (a long period), not days
	ByChannel      []reports.ChannelFigures
}

func cell(locale string, s reports.Share, ref float64) shareCell {
	c := shareCell{Text: shareText(locale, s)}
	if ref == 0 {
		return c
	}
	c.Ref = formatPercent(locale, ref)
	if pct, ok := s.Percent(); ok {
		c.Cue = "meets"
		if pct < ref-1 {
			c.Cue = "under"
		}
	}
	return c
}

// qaCell is an average QA score against the bank's target: it meets it at the target or above, with no point of
// grace (the target is itself below what a good team achieves). A dash when nothing was reviewed.
func qaCell(locale string, qa reports.QA) shareCell {
	c := shareCell{Text: "—", Ref: formatDecimal(locale, reports.ReferenceQATarget)}
	if qa.Reviews == 0 {
		return c
	}
	c.Text, c.Cue = formatDecimal(locale, qa.Score), "meets"
	if !qa.MeetsTarget() {
		c.Cue = "under"
	}
	return c
}

func funnelRowOf(locale string, f reports.Funnel, label string) funnelRow {
	ref := reports.References[f.Kind] // the total and a kind without references: none
	return funnelRow{Kind: f.Kind, Label: label,
		Written: formatInt(locale, f.Written), Replied: formatInt(locale, f.Replied),
		Consented: formatInt(locale, f.Consented), Converted: formatInt(locale, f.Converted),
		Reply: cell(locale, f.Reply(), ref.Reply), Consent: cell(locale, f.Consent(), ref.Consent),
		Convert: cell(locale, f.Convert(), ref.Convert), ConvertOfReplies: cell(locale, f.ConvertOfReplies(), 0)}
}

func dayRowOf(locale string, d reports.ServiceDay, label string) dayRow {
	return dayRow{Label: label, Answered: formatInt(locale, d.Answered), Ratings: formatInt(locale, d.Ratings),
		InTime: cell(locale, d.AnsweredIn60(), reports.ReferenceAnsweredIn60),
		Top:    cell(locale, d.TopCSAT(), reports.ReferenceTopCSAT)}
}

func buildReportsView(locale string, f reportFilter, data reportData) reportsView {
	v := reportsView{Period: f.reportPeriod, Shown: true, Export: "/reports.xlsx?" + f.query(), Refusals: "/reports/refusals?" + f.query(),
		Total:   funnelRowOf(locale, data.Conversion.Total, T(locale, "reports.total")),
		Service: dayRowOf(locale, reports.ServiceTotal(data.Days), T(locale, "reports.total")),
		QA: qaFigure{Reviews: formatInt(locale, data.QA.Reviews), Score: qaCell(locale, data.QA),
			Target: formatDecimal(locale, reports.ReferenceQATarget), RefScore: formatDecimal(locale, reports.ReferenceQA)}}
	v.Drill = drillBase(f)
	v.Total.drillFunnel(v.Drill)
	v.Service.drillDays(v.Drill)
	v.QA.Score.Href = drill(v.Drill, "by", reports.ByClosed, "qa", "reviewed")
	for _, fu := range data.Conversion.ByKind {
		row := funnelRowOf(locale, fu, T(locale, "kind."+fu.Kind))
		row.drillFunnel(withFilter(v.Drill, "kind", fu.Kind))
		v.Kinds = append(v.Kinds, row)
	}
	for _, fu := range data.Conversion.ByCampaign {
		row := funnelRowOf(locale, fu, fu.Campaign)
		row.drillFunnel(withFilter(v.Drill, "campaign", strconv.FormatInt(fu.CampaignID, 10)))
		v.Campaigns = append(v.Campaigns, row)
	}
	for _, w := range data.ByWeek {
		v.Weeks = append(v.Weeks, funnelRowOf(locale, w.Funnel, weekLabel(locale, w.Start)))
	}
	for h, x := range data.Shape.ByHour {
		if x.Answered > 0 {
			v.Hours = append(v.Hours, hourRow{Label: hourLabel(h), Answered: formatInt(locale, x.Answered),
				InTime: cell(locale, x.AnsweredIn60(), reports.ReferenceAnsweredIn60)})
		}
	}
	v.Responses = countRows(locale, responseLabels(locale), data.Shape.Responses)
	v.CSAT = countRows(locale, csatLabels(), data.Shape.CSAT[:])
	for _, q := range data.QATrend {
		row := qaRow{Label: trendLabel(locale, q.Start, data.QATrendByWeeks), Reviews: formatInt(locale, q.Reviews), Score: "—"}
		if q.Reviews > 0 {
			row.Score = formatDecimal(locale, q.Score)
		}
		v.QATrend = append(v.QATrend, row)
	}
	v.Charts = buildCharts(locale, data)
	v.Channels = channelRows(locale, data.ByChannel)
	for _, o := range data.Operators {
		row := operatorRow{Name: o.Name, Dialogs: formatInt(locale, o.Dialogs), Answered: formatInt(locale, o.Answered),
			Median: "—", Consents: formatInt(locale, o.Consents), Conversions: formatInt(locale, o.Conversions),
			Ratings: formatInt(locale, o.Ratings), Average: "—",
			InTime:  cell(locale, o.AnsweredIn60(), reports.ReferenceAnsweredIn60),
			Top:     cell(locale, o.TopCSAT(), reports.ReferenceTopCSAT),
			Reviews: formatInt(locale, o.Reviews), QA: qaCell(locale, reports.QA{Reviews: o.Reviews, Score: o.QAScore})}
		if o.Answered > 0 {
			row.Median = waitText(o.MedianResponse)
		}
		row.Drill = withFilter(v.Drill, "operator", strconv.FormatInt(o.OperatorID, 10))
		row.InTime.Href = drill(row.Drill, "by", reports.ByMessages, "sla", "breached")
		row.Top.Href = drill(row.Drill, "by", reports.ByClosed, "csat", "5")
		row.QA.Href = drill(row.Drill, "by", reports.ByClosed, "qa", "reviewed")
		if o.Ratings > 0 {
			row.Average = formatDecimal(locale, o.AverageRating)
		}
		v.Operators = append(v.Operators, row)
	}
	for _, d := range data.Days {
		row := dayRowOf(locale, d, dayLabel(locale, d.Day))
		row.drillDays(drillBase(f.withPeriod(periodOfDays(d.Day, d.Day))))
		v.Days = append(v.Days, row)
	}
	return v
}

// drillFunnel links a funnel row's shares to the dialogs behind them; the counts link in the template.
func (row *funnelRow) drillFunnel(base url.Values) {
	row.Drill = withFilter(base, "by", reports.ByWritten)
	row.Reply.Href = drill(row.Drill)
	row.Consent.Href = drill(row.Drill, "outcome", "consent")
	row.Convert.Href = drill(row.Drill, "converted", "1")
}

// drillDays links a day's (or the period's) service figures: the misses of the first minute, the 5s.
func (row *dayRow) drillDays(base url.Values) {
	row.Drill = base
	row.InTime.Href = drill(base, "by", reports.ByMessages, "sla", "breached")
	row.Top.Href = drill(base, "by", reports.ByRated, "csat", "5")
}

// withFilter is base with one more drill-down filter.
func withFilter(base url.Values, name, value string) url.Values {
	q := cloneValues(base)
	q.Set(name, value)
	return q
}

// quickLinks are the usual periods, each ending today, with the rest of the filter kept.
func quickLinks(f reportFilter, today time.Time) []reportLink {
	var out []reportLink
	for _, n := range []int{7, 14, 30} {
		q := periodOfDays(today.AddDate(0, 0, -(n-1)), today)
		out = append(out, reportLink{Days: n, Href: "/reports?" + f.withPeriod(q).query(), Current: q.From == f.From && q.To == f.To})
	}
	return out
}

func countRows(locale string, labels []string, counts []int) []countRow {
	total := 0
	for _, n := range counts {
		total += n
	}
	var out []countRow
	for i, n := range counts {
		out = append(out, countRow{Label: labels[i], Count: formatInt(locale, n), Share: shareText(locale, reports.Share{N: n, Of: total})})
	}
	return out
}
