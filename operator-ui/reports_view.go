package operatorui

import (
	"time"

	"dozvon/reports"
)

// The conversion report as the page shows it: every figure already written in the user's language, each share
// with its reference beside it and a cue whether it meets it.

type reportsView struct {
	Period    reportPeriod
	Filter    filterForm
	Quick     []reportLink
	Export    string // the export's address, with the filter
	Shown     bool   // false: the filter was not understood and only the form is shown
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
	ConvertOfReplies                       shareCell // the bank's targets' base; Convert is of consents
	RepliedHref                            string    // the dialogs behind Replied, when there is a list to go to
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
}

type operatorRow struct {
	Name, Dialogs, Answered, Median, Consents, Conversions, Ratings, Average, Reviews string
	InTime, Top, QA                                                                   shareCell
}

type dayRow struct {
	Label, Answered, Ratings string
	InTime, Top              shareCell
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
	v := reportsView{Period: f.reportPeriod, Shown: true, Export: "/reports.xlsx?" + f.query(),
		Total:   funnelRowOf(locale, data.Conversion.Total, T(locale, "reports.total")),
		Service: dayRowOf(locale, reports.ServiceTotal(data.Days), T(locale, "reports.total")),
		QA: qaFigure{Reviews: formatInt(locale, data.QA.Reviews), Score: qaCell(locale, data.QA),
			Target: formatDecimal(locale, reports.ReferenceQATarget), RefScore: formatDecimal(locale, reports.ReferenceQA)}}
	for _, fu := range data.Conversion.ByKind {
		row := funnelRowOf(locale, fu, T(locale, "kind."+fu.Kind))
		kf := f
		kf.Kind = fu.Kind
		row.RepliedHref = dialogsHref(kf, "replied")
		v.Kinds = append(v.Kinds, row)
	}
	for _, fu := range data.Conversion.ByCampaign {
		v.Campaigns = append(v.Campaigns, funnelRowOf(locale, fu, fu.Campaign))
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
		if o.Ratings > 0 {
			row.Average = formatDecimal(locale, o.AverageRating)
		}
		v.Operators = append(v.Operators, row)
	}
	for _, d := range data.Days {
		v.Days = append(v.Days, dayRowOf(locale, d, dayLabel(locale, d.Day)))
	}
	return v
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
