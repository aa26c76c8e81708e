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
	Quick     []reportLink
	Export    string     // the export's address, with the period
	Drill     url.Values // the period's drill-down filters (drill)
	Shown     bool       // false: the period was not understood and only the form is shown
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
	ConvertOfConsents                      bool
	Drill                                  url.Values // the period, by=written and the row's kind or campaign
}

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
	Conversion reports.Conversion
	Operators  []reports.OperatorPeriod
	Days       []reports.ServiceDay
	QA         reports.QA
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
		Convert: cell(locale, f.Convert(), ref.Convert), ConvertOfConsents: f.ConvertOfConsents()}
}

func dayRowOf(locale string, d reports.ServiceDay, label string) dayRow {
	return dayRow{Label: label, Answered: formatInt(locale, d.Answered), Ratings: formatInt(locale, d.Ratings),
		InTime: cell(locale, d.AnsweredIn60(), reports.ReferenceAnsweredIn60),
		Top:    cell(locale, d.TopCSAT(), reports.ReferenceTopCSAT)}
}

func buildReportsView(locale string, p reportPeriod, data reportData) reportsView {
	v := reportsView{Period: p, Shown: true, Export: "/reports.xlsx?" + p.query(),
		Total:   funnelRowOf(locale, data.Conversion.Total, T(locale, "reports.total")),
		Service: dayRowOf(locale, reports.ServiceTotal(data.Days), T(locale, "reports.total")),
		QA: qaFigure{Reviews: formatInt(locale, data.QA.Reviews), Score: qaCell(locale, data.QA),
			Target: formatDecimal(locale, reports.ReferenceQATarget), RefScore: formatDecimal(locale, reports.ReferenceQA)}}
	v.Drill = drillBase(p)
	v.Total.drillFunnel(v.Drill)
	v.Service.drillDays(v.Drill)
	v.QA.Score.Href = drill(v.Drill, "by", reports.ByClosed, "qa", "reviewed")
	for _, f := range data.Conversion.ByKind {
		row := funnelRowOf(locale, f, T(locale, "kind."+f.Kind))
		row.drillFunnel(withFilter(v.Drill, "kind", f.Kind))
		v.Kinds = append(v.Kinds, row)
	}
	for _, f := range data.Conversion.ByCampaign {
		row := funnelRowOf(locale, f, f.Campaign)
		row.drillFunnel(withFilter(v.Drill, "campaign", strconv.FormatInt(f.CampaignID, 10)))
		v.Campaigns = append(v.Campaigns, row)
	}
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
		row.Drill = withFilter(drillBase(p), "operator", strconv.FormatInt(o.OperatorID, 10))
		row.InTime.Href = drill(row.Drill, "by", reports.ByMessages, "sla", "breached")
		row.Top.Href = drill(row.Drill, "by", reports.ByClosed, "csat", "5")
		row.QA.Href = drill(row.Drill, "by", reports.ByClosed, "qa", "reviewed")
		if o.Ratings > 0 {
			row.Average = formatDecimal(locale, o.AverageRating)
		}
		v.Operators = append(v.Operators, row)
	}
	for _, d := range data.Days {
		row := dayRowOf(locale, d, d.Day.Format("02.01.2006"))
		row.drillDays(drillBase(periodOfDays(d.Day, d.Day)))
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

// quickLinks are the usual periods, each ending today.
func quickLinks(p reportPeriod, today time.Time) []reportLink {
	var out []reportLink
	for _, n := range []int{7, 14, 30} {
		q := periodOfDays(today.AddDate(0, 0, -(n-1)), today)
		out = append(out, reportLink{Days: n, Href: "/reports?" + q.query(), Current: q.From == p.From && q.To == p.To})
	}
	return out
}
