package operatorui

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"dozvon/internal/auth"
	"dozvon/reports"
)

// The dashboards (/reports): the funnel of the leads written to in a period, by lead kind and campaign, and its
// trend; the operators' work; the team's service by day, by hour and by response time; the ratings and the QA
// score, each against the bank's reference figures, as charts and tables, all under one filter, and the same
// tables as an Excel file (/reports.xlsx). The figures come from reports; this file only reads the filter.

// dashboards: the people who plan outreach and those who run the team read how it converts.
var dashboards = Access{Roles: []auth.Role{auth.Manager, auth.Supervisor, auth.Admin}}

// filterForm is the filter's form: its choices, each marked when chosen.
type filterForm struct {
	Kinds, Campaigns, Operators, Channels []filterOption
}

type filterOption struct {
	Value, Label string
	Selected     bool
}

func (ui *UI) showReports(w http.ResponseWriter, r *http.Request) {
	locale, now := ui.requestLocale(r), time.Now()
	f, err := parseReportFilter(r.URL.Query(), now)
	form, ferr := ui.filterForm(r.Context(), locale, f)
	if err != nil || ferr != nil {
		if ferr != nil {
			ui.serverError(w, r, ferr)
			return
		}
		v := reportsView{Period: f.reportPeriod, Filter: form, Quick: quickLinks(f, startOfDay(now))}
		ui.render(w, r, http.StatusBadRequest, "reports", view{Title: "nav.reports", Data: v, Error: T(locale, err.Error())})
		return
	}
	data, err := ui.reportData(r.Context(), f)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	v := buildReportsView(locale, f, data)
	v.Filter, v.Quick = form, quickLinks(f, startOfDay(now))
	ui.render(w, r, http.StatusOK, "reports", view{Title: "nav.reports", Data: v})
}

func (ui *UI) reportsXLSX(w http.ResponseWriter, r *http.Request) {
	locale := ui.requestLocale(r)
	f, err := parseReportFilter(r.URL.Query(), time.Now())
	if err != nil {
		http.Error(w, T(locale, err.Error()), http.StatusBadRequest)
		return
	}
	data, err := ui.reportData(r.Context(), f)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	buf, err := reportWorkbook(locale, f.reportPeriod, data)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="dozvon-report-`+f.From+`-`+f.To+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

// qaTrendWeeks: a QA trend over a longer period goes by week, so its columns stay readable.
const qaTrendWeeks = 31

func (ui *UI) reportData(ctx context.Context, rf reportFilter) (reportData, error) {
	var d reportData
	f, zone := rf.filter(), rf.Span.From.Location()
	qaBuckets := reports.Days(f.Period, zone)
	if d.QATrendByWeeks = rf.Days > qaTrendWeeks; d.QATrendByWeeks {
		qaBuckets = reports.Weeks(f.Period, zone)
	}
	errs := make([]error, 9)
	d.Conversion, errs[0] = ui.Reports.Conversion(ctx, f)
	d.Operators, errs[1] = ui.Reports.Operators(ctx, f)
	d.Days, errs[2] = ui.Reports.ServiceByDay(ctx, f, zone)
	d.QA, errs[3] = ui.Reports.TeamQA(ctx, f)
	d.ByDay, errs[4] = ui.Reports.FunnelTrend(ctx, f, reports.Days(f.Period, zone))
	d.ByWeek, errs[5] = ui.Reports.FunnelTrend(ctx, f, reports.Weeks(f.Period, zone))
	d.Shape, errs[6] = ui.Reports.Shape(ctx, f, zone)
	d.QATrend, errs[7] = ui.Reports.QATrend(ctx, f, qaBuckets)
	d.ByChannel, errs[8] = ui.Reports.ByChannel(ctx, f, zone)
	return d, errors.Join(errs...)
}

// filterForm lists the filter's choices: lead kinds, campaigns and operators by name, and the channels.
func (ui *UI) filterForm(ctx context.Context, locale string, f reportFilter) (filterForm, error) {
	campaigns, operators, err := ui.Reports.FilterChoices(ctx)
	if err != nil {
		return filterForm{}, err
	}
	var form filterForm
	for _, k := range reports.Kinds {
		form.Kinds = append(form.Kinds, filterOption{Value: k, Label: T(locale, "kind."+k), Selected: k == f.Kind})
	}
	for _, c := range campaigns {
		form.Campaigns = append(form.Campaigns, filterOption{Value: strconv.FormatInt(c.ID, 10),
			Label: c.Name + " · " + T(locale, "kind."+c.Kind), Selected: c.ID == f.CampaignID})
	}
	for _, o := range operators {
		form.Operators = append(form.Operators, filterOption{Value: strconv.FormatInt(o.ID, 10), Label: o.Name,
			Selected: o.ID == f.OperatorID})
	}
	for _, ch := range reports.Channels {
		form.Channels = append(form.Channels, filterOption{Value: ch, Label: T(locale, "reports.channel_"+ch), Selected: ch == f.Channel})
	}
	return form, nil
}
