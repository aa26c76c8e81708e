package operatorui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/reports"
)

// Supervisors keep the list of refusal reasons operators pick from (/refusal-reasons: each row its own form, a
// last empty row to add one), and whoever reads the reports sees how often each was given, by lead kind
// (/reports/refusals, and as an Excel file).

type refusalsPage struct {
	Reasons []dialog.RefusalReason
	Errors  map[string]string // by "<id>.<field>", id 0 for the new row
	New     dialog.RefusalReason
}

func (ui *UI) showRefusalReasons(w http.ResponseWriter, r *http.Request) {
	if ui.supervisorToolsOn(w, r) {
		ui.renderRefusalReasons(w, r, http.StatusOK, refusalsPage{New: dialog.RefusalReason{Active: true}})
	}
}

func (ui *UI) renderRefusalReasons(w http.ResponseWriter, r *http.Request, status int, p refusalsPage) {
	list, err := ui.Dialog.RefusalReasons(r.Context(), true)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	p.Reasons = list
	ui.render(w, r, status, "refusal_reasons", view{Title: "refusals.title", Data: p})
}

func (ui *UI) createRefusalReason(w http.ResponseWriter, r *http.Request) {
	if ui.supervisorToolsOn(w, r) {
		ui.saveRefusalReason(w, r, 0)
	}
}

func (ui *UI) updateRefusalReason(w http.ResponseWriter, r *http.Request) {
	if !ui.supervisorToolsOn(w, r) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		ui.notFound(w, r)
		return
	}
	ui.saveRefusalReason(w, r, id)
}

func (ui *UI) saveRefusalReason(w http.ResponseWriter, r *http.Request, id int64) {
	pos, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("position")))
	if err != nil {
		pos = -1 // Validate names the field
	}
	rr := dialog.RefusalReason{ID: id, LabelRU: r.PostFormValue("label_ru"), LabelEN: r.PostFormValue("label_en"),
		Active: r.PostFormValue("active") != "", Position: pos}
	saved, err := ui.Dialog.SaveRefusalReason(r.Context(), rr)
	var in *dialog.InputError
	switch {
	case errors.As(err, &in):
		p := refusalsPage{New: dialog.RefusalReason{Active: true},
			Errors: map[string]string{strconv.FormatInt(id, 10) + "." + in.Field: T(ui.requestLocale(r), "refusals.err_"+in.Field)}}
		if id == 0 {
			p.New = rr
		}
		ui.renderRefusalReasons(w, r, http.StatusUnprocessableEntity, p)
		return
	case errors.Is(err, dialog.ErrNoSuchReason):
		ui.notFound(w, r)
		return
	case err != nil:
		ui.serverError(w, r, err)
		return
	}
	me := currentUser(r)
	action := "refusal_reason.update"
	if id == 0 {
		action = "refusal_reason.create"
	}
	ui.audit(r, auth.Entry{UserID: &me.ID, Actor: me.Login, Action: action, Object: rr.LabelRU,
		Detail: map[string]any{"reason_id": saved, "active": rr.Active, "position": rr.Position}})
	ui.flash(r, T(ui.requestLocale(r), "refusals.saved", rr.Label(ui.requestLocale(r))))
	http.Redirect(w, r, "/refusal-reasons", http.StatusSeeOther)
}

// refusalsReport is the table of refusals by reason (rows) and lead kind (columns).
type refusalsReport struct {
	Period reportPeriod
	Kinds  []string // the columns: lead kinds, and "" for dialogs without a lead when there were any
	Rows   []refusalsRow
	Total  refusalsRow
	Export string
	Error  string
}

type refusalsRow struct {
	Label  string
	Counts []int // by Kinds
	Total  int
}

func (ui *UI) showRefusalsReport(w http.ResponseWriter, r *http.Request) {
	rep, status := ui.refusalsReport(r)
	if status == http.StatusInternalServerError {
		ui.serverError(w, r, errors.New(rep.Error))
		return
	}
	ui.render(w, r, status, "refusals_report", view{Title: "refusals.report_title", Data: rep, Error: rep.Error})
}

func (ui *UI) refusalsReport(r *http.Request) (refusalsReport, int) {
	locale, now := ui.requestLocale(r), time.Now()
	p, err := parseReportPeriod(r.URL.Query(), now)
	rep := refusalsReport{Period: p}
	if err != nil {
		rep.Error = T(locale, err.Error())
		return rep, http.StatusBadRequest
	}
	counts, err := ui.Reports.Refusals(r.Context(), p.Span)
	if err != nil {
		rep.Error = err.Error()
		return rep, http.StatusInternalServerError
	}
	rep.Export = "/reports/refusals.xlsx?from=" + p.From + "&to=" + p.To
	buildRefusalsTable(locale, &rep, counts)
	return rep, http.StatusOK
}

// buildRefusalsTable lays the counts out: the three lead kinds always, "no lead" only when some refusal had none;
// reasons in the order the query gives (the supervisors' order, unclassified last).
func buildRefusalsTable(locale string, rep *refusalsReport, counts []reports.RefusalCount) {
	rep.Kinds = []string{"missed_call", "follow_up", "acquiring"}
	for _, c := range counts {
		if c.Kind == "" {
			rep.Kinds = append(rep.Kinds, "")
			break
		}
	}
	col := map[string]int{}
	for i, k := range rep.Kinds {
		col[k] = i
	}
	rep.Total = refusalsRow{Label: T(locale, "refusals.total"), Counts: make([]int, len(rep.Kinds))}
	var last *int64
	for i, c := range counts {
		if i == 0 || !sameReason(last, c.ReasonID) {
			label := T(locale, "refusals.unclassified")
			if c.ReasonID != nil {
				label = c.LabelEN
				if locale == "ru" {
					label = c.LabelRU
				}
			}
			rep.Rows = append(rep.Rows, refusalsRow{Label: label, Counts: make([]int, len(rep.Kinds))})
		}
		last = c.ReasonID
		row := &rep.Rows[len(rep.Rows)-1]
		row.Counts[col[c.Kind]] += c.Count
		row.Total += c.Count
		rep.Total.Counts[col[c.Kind]] += c.Count
		rep.Total.Total += c.Count
	}
}

func sameReason(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func (ui *UI) refusalsXLSX(w http.ResponseWriter, r *http.Request) {
	locale := ui.requestLocale(r)
	rep, status := ui.refusalsReport(r)
	switch status {
	case http.StatusBadRequest:
		http.Error(w, rep.Error, status)
		return
	case http.StatusInternalServerError:
		ui.serverError(w, r, errors.New(rep.Error))
		return
	}
	head := []any{T(locale, "refusals.reason")}
	for _, k := range rep.Kinds {
		head = append(head, kindColumn(locale, k))
	}
	rows := [][]any{append(head, T(locale, "refusals.total"))}
	for _, row := range append(append([]refusalsRow{}, rep.Rows...), rep.Total) {
		cells := []any{row.Label}
		for _, n := range row.Counts {
			cells = append(cells, n)
		}
		rows = append(rows, append(cells, row.Total))
	}
	wb := excelize.NewFile()
	defer wb.Close()
	sheet := T(locale, "refusals.report_title")
	if err := wb.SetSheetName("Sheet1", sheet); err != nil {
		ui.serverError(w, r, err)
		return
	}
	for i, cells := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := wb.SetSheetRow(sheet, cell, &cells); err != nil {
			ui.serverError(w, r, err)
			return
		}
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="dozvon-refusals-`+rep.Period.From+`-`+rep.Period.To+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_ = wb.Write(w)
}

// kindColumn is a lead kind as a column's head.
func kindColumn(locale, kind string) string {
	if kind == "" {
		return T(locale, "refusals.no_lead")
	}
	return T(locale, "kind."+kind)
}
