package operatorui

import (
	"errors"
	"net/url"
	"time"

	"dozvon/reports"
)

// The conversion report's period: whole days of the bank, both ends included, as a person picks them on the form.
// Days are the server's, as every page's "today" is (startOfDay).

const dateLayout = "2006-01-02"

// maxReportDays keeps a mistyped year from reading the whole history.
const maxReportDays = 366

// reportPeriod is the form's period: its dates as typed and the span they mean.
type reportPeriod struct {
	From, To string // yyyy-mm-dd, both days included
	Span     reports.Period
	Days     int
}

var (
	errReportDate  = errors.New("reports.bad_date")
	errReportOrder = errors.New("reports.bad_order")
	errReportLong  = errors.New("reports.too_long")
)

// parseReportPeriod reads ?from=&to= (dates); either missing means the last 14 days ending today. An error is the
// catalog key of the message to show.
func parseReportPeriod(q url.Values, now time.Time) (reportPeriod, error) {
	today := startOfDay(now)
	fromText, toText := q.Get("from"), q.Get("to")
	if fromText == "" && toText == "" {
		return periodOfDays(today.AddDate(0, 0, -13), today), nil
	}
	from, err1 := time.ParseInLocation(dateLayout, fromText, today.Location())
	to, err2 := time.ParseInLocation(dateLayout, toText, today.Location())
	p := reportPeriod{From: fromText, To: toText}
	switch {
	case err1 != nil || err2 != nil:
		return p, errReportDate
	case to.Before(from):
		return p, errReportOrder
	case to.Sub(from) >= maxReportDays*24*time.Hour:
		return p, errReportLong
	}
	return periodOfDays(from, to), nil
}

// periodOfDays is the span from the first day's midnight to the midnight after the last day.
func periodOfDays(first, last time.Time) reportPeriod {
	end := last.AddDate(0, 0, 1)
	days := 0
	for d := first; d.Before(end); d = d.AddDate(0, 0, 1) {
		days++
	}
	return reportPeriod{From: first.Format(dateLayout), To: last.Format(dateLayout),
		Span: reports.Period{From: first, To: end}, Days: days}
}
