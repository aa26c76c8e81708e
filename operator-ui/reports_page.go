package operatorui

import (
	"context"
	"errors"
	"net/http"
	"time"

	"dozvon/internal/auth"
)

// The conversion report (/reports): the funnel of the leads written to in a period, by lead kind and campaign,
// the operators' work, the team's service by day and its QA score, each against the bank's reference figures, and the same
// tables as an Excel file (/reports.xlsx). The figures come from reports; this file only reads the period.

// dashboards: the people who plan outreach and those who run the team read how it converts.
var dashboards = Access{Roles: []auth.Role{auth.Manager, auth.Supervisor, auth.Admin}}

func (ui *UI) showReports(w http.ResponseWriter, r *http.Request) {
	locale, now := ui.requestLocale(r), time.Now()
	p, err := parseReportPeriod(r.URL.Query(), now)
	if err != nil {
		v := reportsView{Period: p, Quick: quickLinks(p, startOfDay(now))}
		ui.render(w, r, http.StatusBadRequest, "reports", view{Title: "nav.reports", Data: v, Error: T(locale, err.Error())})
		return
	}
	data, err := ui.reportData(r.Context(), p)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	v := buildReportsView(locale, p, data)
	v.Quick = quickLinks(p, startOfDay(now))
	ui.render(w, r, http.StatusOK, "reports", view{Title: "nav.reports", Data: v})
}

func (ui *UI) reportsXLSX(w http.ResponseWriter, r *http.Request) {
	locale := ui.requestLocale(r)
	p, err := parseReportPeriod(r.URL.Query(), time.Now())
	if err != nil {
		http.Error(w, T(locale, err.Error()), http.StatusBadRequest)
		return
	}
	data, err := ui.reportData(r.Context(), p)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	buf, err := reportWorkbook(locale, p, data)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="dozvon-report-`+p.From+`-`+p.To+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

func (ui *UI) reportData(ctx context.Context, p reportPeriod) (reportData, error) {
	var d reportData
	var err1, err2, err3, err4 error
	d.Conversion, err1 = ui.Reports.Conversion(ctx, p.Span)
	d.Operators, err2 = ui.Reports.Operators(ctx, p.Span)
	d.Days, err3 = ui.Reports.ServiceByDay(ctx, p.Span, p.Span.From.Location())
	d.QA, err4 = ui.Reports.TeamQA(ctx, p.Span)
	return d, errors.Join(err1, err2, err3, err4)
}
