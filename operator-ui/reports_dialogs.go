package operatorui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"dozvon/internal/auth"
	"dozvon/reports"
)

// The dialogs behind a figure (GET /reports/dialogs): the report's figures link here with the filters that make
// them (drill), the list shows the conversations with paging, exports them (GET /reports/dialogs.xlsx), and with
// sample=N draws N closed dialogs per operator nobody has reviewed, for QA. Supervisors and administrators open
// each dialog from its row; a manager reads the list without the dialogs.

const dialogsPerPage = 50

// maxDialogExport bounds the export: a list longer than this is a question for the database, not a spreadsheet.
const maxDialogExport = 10000

// drill is the address of the dialogs behind a figure: base carries the period and the row's own filters (a lead
// kind, a campaign, an operator), pairs add the figure's own as name, value (zero values are left out). Pages
// and charts build every drill-down link with it, in Go or in a template ({{drill .Drill "outcome" "consent"}}).
func drill(base url.Values, pairs ...any) string {
	q := url.Values{}
	for k, v := range base {
		q[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		name, value := fmt.Sprint(pairs[i]), fmt.Sprint(pairs[i+1])
		if value == "" || value == "0" {
			q.Del(name)
			continue
		}
		q.Set(name, value)
	}
	return "/reports/dialogs?" + q.Encode()
}

// drillBase is a report period's drill-down filters.
func drillBase(f reportFilter) url.Values {
	q, _ := url.ParseQuery(f.query())
	q.Del("channel") // the dialogs' list has no channel filter yet
	return q
}

// dialogFilter reads the list's filters from its address; an error is a catalog key.
func dialogFilter(q url.Values, now time.Time) (reportPeriod, reports.DialogFilter, error) {
	p, err := parseReportPeriod(q, now)
	if err != nil {
		return p, reports.DialogFilter{}, err
	}
	num := func(name string) int64 { n, _ := strconv.ParseInt(q.Get(name), 10, 64); return n }
	f := reports.DialogFilter{Period: p.Span, By: q.Get("by"), Kind: q.Get("kind"), CampaignID: num("campaign"),
		OperatorID: num("operator"), Outcome: q.Get("outcome"), Converted: q.Get("converted") == "1",
		Status: q.Get("status"), SLA: q.Get("sla"), CSAT: q.Get("csat"), QA: q.Get("qa"), Sample: int(num("sample"))}
	if f.Valid() != nil || f.Sample < 0 || f.Sample > 50 {
		return p, f, errors.New("review.bad_filter")
	}
	return p, f, nil
}

type dialogsView struct {
	Period             reportPeriod
	Query              url.Values // the filters as the address carries them
	Sample             bool
	Total              string
	Rows               []dialogRowView
	Prev, Next, Export string
	PageText           string
	Kinds, Bases       []string
	OutcomeKinds       []string
	Scores             []string
	Campaigns          []reports.Choice
	Operators          []reports.Choice
	CanOpen            bool
	Back               string // the report of the same period
}

type dialogRowView struct {
	ID                               int64
	Href                             string // empty for those who may not open dialogs
	Company, Client, Kind, Campaign  string
	Operator, Status, Opened, Closed string
	Outcomes, CSAT, QA               string
	Converted, Breached              bool
}

func (ui *UI) showReportDialogs(w http.ResponseWriter, r *http.Request) {
	loc, q := ui.requestLocale(r), r.URL.Query()
	p, f, ferr := dialogFilter(q, time.Now())
	v := dialogsView{Period: p, Query: q, Kinds: reports.Kinds, Bases: reports.Bases, Sample: f.Sample > 0,
		OutcomeKinds: reports.OutcomeKinds, Scores: []string{"5", "4", "3", "2", "1"},
		CanOpen: mayOpenDialogs(currentUser(r).Role), Back: "/reports?" + reportFilter{reportPeriod: p, Kind: f.Kind, CampaignID: f.CampaignID, OperatorID: f.OperatorID}.query()}
	var err error
	if v.Campaigns, v.Operators, err = ui.Reports.FilterChoices(r.Context()); err != nil {
		ui.serverError(w, r, err)
		return
	}
	if ferr != nil {
		ui.render(w, r, http.StatusBadRequest, "report_dialogs", view{Title: "review.title", Data: v, Error: T(loc, ferr.Error())})
		return
	}
	page := max(1, int(atoiOr(q.Get("page"), 1)))
	list, err := ui.Reports.Dialogs(r.Context(), f, (page-1)*dialogsPerPage, dialogsPerPage)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	v.Total = formatInt(loc, list.Total)
	for _, d := range list.Rows {
		v.Rows = append(v.Rows, dialogRowOf(loc, ui.userZone(r), d, v.CanOpen, q))
	}
	pages := (list.Total + dialogsPerPage - 1) / dialogsPerPage
	v.PageText = T(loc, "review.page", page, max(pages, 1))
	if page > 1 {
		v.Prev = pageHref(q, page-1)
	}
	if page < pages {
		v.Next = pageHref(q, page+1)
	}
	exp := cloneValues(q)
	exp.Del("page")
	v.Export = "/reports/dialogs.xlsx?" + exp.Encode()
	ui.render(w, r, http.StatusOK, "report_dialogs", view{Title: "review.title", Data: v})
}

// mayOpenDialogs: the roles that read any dialog (the README's security model).
func mayOpenDialogs(role auth.Role) bool { return role == auth.Supervisor || role == auth.Admin }

func atoiOr(s string, def int64) int64 {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return def
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func pageHref(q url.Values, page int) string {
	next := cloneValues(q)
	next.Set("page", strconv.Itoa(page))
	return "/reports/dialogs?" + next.Encode()
}

// dialogHref opens a dialog from the list, carrying the list along so its page can go to the next one.
func dialogHref(id int64, list url.Values) string {
	l := cloneValues(list)
	l.Del("page")
	return "/live/dialogs/" + strconv.FormatInt(id, 10) + "?" + url.Values{"list": {l.Encode()}}.Encode()
}

func dialogRowOf(loc string, zone *time.Location, d reports.DialogRow, canOpen bool, list url.Values) dialogRowView {
	v := dialogRowView{ID: d.ID, Company: d.Company, Client: d.Client, Campaign: d.Campaign, Operator: d.Operator,
		Status: T(loc, "live.conv_"+d.Status), Opened: formatWhen(loc, zone, d.OpenedAt), Converted: d.Converted,
		Breached: d.Breached, CSAT: "—", QA: "—"}
	if canOpen {
		v.Href = dialogHref(d.ID, list)
	}
	if d.Kind != "" {
		v.Kind = T(loc, "kind."+d.Kind)
	}
	if d.ClosedAt != nil {
		v.Closed = formatWhen(loc, zone, *d.ClosedAt)
	}
	for i, o := range d.Outcomes {
		if i > 0 {
			v.Outcomes += ", "
		}
		v.Outcomes += T(loc, "live.outcome_"+o)
	}
	if d.CSAT != nil {
		v.CSAT = strconv.Itoa(*d.CSAT)
	}
	if d.QAScore != nil {
		v.QA = strconv.Itoa(*d.QAScore)
	}
	return v
}

// reportDialogsXLSX is the list as an Excel file, every row (up to maxDialogExport), headers in the user's
// language.
func (ui *UI) reportDialogsXLSX(w http.ResponseWriter, r *http.Request) {
	loc := ui.requestLocale(r)
	p, f, err := dialogFilter(r.URL.Query(), time.Now())
	if err != nil {
		http.Error(w, T(loc, err.Error()), http.StatusBadRequest)
		return
	}
	list, err := ui.Reports.Dialogs(r.Context(), f, 0, maxDialogExport)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	wb := excelize.NewFile()
	defer wb.Close()
	t := func(key string) string { return T(loc, key) }
	rows := [][]any{{t("review.col_id"), t("review.col_company"), t("review.col_client"), t("reports.kind"),
		t("reports.campaign"), t("reports.operator"), t("review.col_status"), t("review.col_opened"),
		t("review.col_closed"), t("review.col_outcomes"), t("review.col_converted"), t("review.col_breached"),
		t("review.col_csat"), t("review.col_qa")}}
	for _, d := range list.Rows {
		v := dialogRowOf(loc, ui.userZone(r), d, false, nil)
		var closed, csat, qa any
		if d.ClosedAt != nil {
			closed = v.Closed
		}
		if d.CSAT != nil {
			csat = *d.CSAT
		}
		if d.QAScore != nil {
			qa = *d.QAScore
		}
		rows = append(rows, []any{d.ID, d.Company, d.Client, v.Kind, d.Campaign, d.Operator, v.Status, v.Opened,
			closed, v.Outcomes, yesNo(loc, d.Converted), yesNo(loc, d.Breached), csat, qa})
	}
	sheet := t("review.title")
	if err := wb.SetSheetName("Sheet1", sheet); err != nil {
		ui.serverError(w, r, fmt.Errorf("operatorui: dialogs workbook: %w", err))
		return
	}
	for i, row := range rows {
		cellName, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := wb.SetSheetRow(sheet, cellName, &row); err != nil {
			ui.serverError(w, r, fmt.Errorf("operatorui: dialogs workbook: %w", err))
			return
		}
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="dozvon-dialogs-`+p.From+`-`+p.To+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_ = wb.Write(w)
}

func yesNo(loc string, b bool) string {
	if b {
		return T(loc, "review.yes")
	}
	return ""
}
