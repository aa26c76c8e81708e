package operatorui

import (
	"bytes"
	"fmt"
	"math"

	"github.com/xuri/excelize/v2"

	"dozvon/reports"
)

// reportWorkbook is the dashboards as an Excel file: one sheet per table of the page (and per chart's table), headers in the
// user's language, counts and percentages as numbers (a share of nothing is an empty cell) so they can be summed
// and charted.
func reportWorkbook(locale string, p reportPeriod, d reportData) (*bytes.Buffer, error) {
	wb := excelize.NewFile()
	defer wb.Close()
	t := func(key string) string { return T(locale, key) }

	funnelHead := []any{"", t("reports.written"), t("reports.replied"), t("reports.consented"), t("reports.converted"),
		t("reports.reply_share"), t("reports.consent_share"), t("reports.convert_of_consents"), t("reports.convert_of_replied")}
	kinds := [][]any{append(append([]any{}, funnelHead...),
		t("reports.ref_reply"), t("reports.ref_consent"), t("reports.ref_convert"))}
	for _, f := range append(append([]reports.Funnel{}, d.Conversion.ByKind...), d.Conversion.Total) {
		label := t("reports.total")
		if f.Kind != "" {
			label = t("kind." + f.Kind)
		}
		ref := reports.References[f.Kind]
		kinds = append(kinds, append(funnelCells(label, f), refCell(ref.Reply), refCell(ref.Consent), refCell(ref.Convert)))
	}
	campaigns := [][]any{append([]any{t("reports.campaign"), t("reports.kind")}, funnelHead[1:]...)}
	for _, f := range d.Conversion.ByCampaign {
		campaigns = append(campaigns, append([]any{f.Campaign, t("kind." + f.Kind)}, funnelCells("", f)[1:]...))
	}
	operators := [][]any{{t("reports.operator"), t("reports.dialogs"), t("reports.answered"), t("reports.in_60"),
		t("reports.median_s"), t("reports.consents"), t("reports.conversions"), t("reports.ratings"),
		t("reports.average"), t("reports.top"), t("reports.qa_reviews"), t("reports.qa_score")}}
	for _, o := range d.Operators {
		var median, average, qa any
		if o.Answered > 0 {
			median = math.Round(o.MedianResponse.Seconds()*10) / 10
		}
		if o.Ratings > 0 {
			average = math.Round(o.AverageRating*100) / 100
		}
		if o.Reviews > 0 {
			qa = math.Round(o.QAScore*10) / 10
		}
		operators = append(operators, []any{o.Name, o.Dialogs, o.Answered, percentCell(o.AnsweredIn60()), median,
			o.Consents, o.Conversions, o.Ratings, average, percentCell(o.TopCSAT()), o.Reviews, qa})
	}
	days := [][]any{{t("reports.day"), t("reports.answered"), t("reports.in_60"), t("reports.ratings"), t("reports.top")}}
	for _, s := range d.Days {
		days = append(days, []any{s.Day.Format("2006-01-02"), s.Answered, percentCell(s.AnsweredIn60()), s.Ratings,
			percentCell(s.TopCSAT())})
	}
	total := reports.ServiceTotal(d.Days)
	days = append(days, []any{t("reports.total"), total.Answered, percentCell(total.AnsweredIn60()), total.Ratings,
		percentCell(total.TopCSAT())},
		[]any{t("reports.reference"), nil, reports.ReferenceAnsweredIn60, nil, reports.ReferenceTopCSAT})

	trend := func(points []reports.FunnelPoint, weeks bool) [][]any {
		rows := [][]any{append([]any{t("reports.day")}, funnelHead[1:]...)}
		if weeks {
			rows[0][0] = t("reports.week")
		}
		for _, p := range points {
			rows = append(rows, funnelCells(p.Start.Format("2006-01-02"), p.Funnel))
		}
		return rows
	}
	hours := [][]any{{t("reports.hour"), t("reports.answered"), t("reports.in_60")}}
	for h, x := range d.Shape.ByHour {
		hours = append(hours, []any{hourLabel(h), x.Answered, percentCell(x.AnsweredIn60())})
	}
	counts := func(head string, labels []string, ns []int) [][]any {
		rows := [][]any{{head, t("reports.count"), t("reports.share")}}
		total := 0
		for _, n := range ns {
			total += n
		}
		for i, n := range ns {
			rows = append(rows, []any{labels[i], n, percentCell(reports.Share{N: n, Of: total})})
		}
		return rows
	}
	qaTrend := [][]any{{t("reports.day"), t("reports.qa_reviews"), t("reports.qa_score")}}
	for _, q := range d.QATrend {
		var score any
		if q.Reviews > 0 {
			score = math.Round(q.Score*10) / 10
		}
		qaTrend = append(qaTrend, []any{q.Start.Format("2006-01-02"), q.Reviews, score})
	}

	var teamQA any
	if d.QA.Reviews > 0 {
		teamQA = math.Round(d.QA.Score*10) / 10
	}
	qa := [][]any{{"", t("reports.qa_reviews"), t("reports.qa_score")},
		{t("reports.qa_team"), d.QA.Reviews, teamQA},
		{t("reports.qa_target_row"), nil, reports.ReferenceQATarget},
		{t("reports.qa_reference_row"), nil, reports.ReferenceQA}}

	sheets := []struct {
		name string
		rows [][]any
	}{
		{t("reports.sheet_kinds"), kinds}, {t("reports.sheet_campaigns"), campaigns},
		{t("reports.sheet_operators"), operators}, {t("reports.sheet_days"), days}, {t("reports.sheet_qa"), qa},
		{t("reports.sheet_trend_days"), trend(d.ByDay, false)}, {t("reports.sheet_trend_weeks"), trend(d.ByWeek, true)},
		{t("reports.sheet_hours"), hours},
		{t("reports.sheet_responses"), counts(t("reports.response_time"), responseLabels(locale), d.Shape.Responses)},
		{t("reports.sheet_csat"), counts(t("reports.rating"), csatLabels(), d.Shape.CSAT[:])},
		{t("reports.sheet_qa_trend"), qaTrend},
		{t("reports.sheet_channels"), channelSheet(locale, d.ByChannel)},
	}
	for i, s := range sheets {
		if i == 0 {
			if err := wb.SetSheetName("Sheet1", s.name); err != nil {
				return nil, fmt.Errorf("operatorui: report workbook: %w", err)
			}
		} else if _, err := wb.NewSheet(s.name); err != nil {
			return nil, fmt.Errorf("operatorui: report workbook: %w", err)
		}
		for r, row := range s.rows {
			cellName, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := wb.SetSheetRow(s.name, cellName, &row); err != nil {
				return nil, fmt.Errorf("operatorui: report workbook %s: %w", s.name, err)
			}
		}
	}
	_ = wb.SetCellValue(sheets[0].name, "A1", t("reports.period_cell")+" "+p.From+" — "+p.To)
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		return nil, fmt.Errorf("operatorui: report workbook: %w", err)
	}
	return &buf, nil
}

func funnelCells(label string, f reports.Funnel) []any {
	return []any{label, f.Written, f.Replied, f.Consented, f.Converted,
		percentCell(f.Reply()), percentCell(f.Consent()), percentCell(f.Convert()), percentCell(f.ConvertOfReplies())}
}

// percentCell is a share as a number of percent to a tenth, or an empty cell.
func percentCell(s reports.Share) any {
	if pct, ok := s.Percent(); ok {
		return math.Round(pct*10) / 10
	}
	return nil
}

func refCell(ref float64) any {
	if ref == 0 {
		return nil
	}
	return ref
}
