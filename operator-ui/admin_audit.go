package operatorui

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"dozvon/internal/auth"
)

// The audit log (/admin/audit): filtered by who, what and when, a page at a time, each action named in the
// reader's language, and the same selection as an Excel file (/admin/audit.xlsx).

// auditPerPage is a screen of the log; auditExportMax bounds the Excel file (a year of a busy team).
const (
	auditPerPage   = 100
	auditExportMax = 100_000
)

type auditPage struct {
	Who, What, From, To string // the filter as typed, dates as YYYY-MM-DD in the user's zone
	Actors              []string
	Actions             []choice // the actions and their groups, labelled
	Entries             []auditRow
	Total, First, Last  int
	Prev, Next, Export  string
	BadDate             bool
}

type auditRow struct {
	auth.Entry
	Label string // the action in the reader's language
}

// auditQuery reads the filter of a request; dates are whole days in the user's zone, To included.
func (ui *UI) auditQuery(r *http.Request) (auth.AuditFilter, auditPage) {
	v := r.URL.Query()
	p := auditPage{Who: v.Get("who"), What: v.Get("what"), From: v.Get("from"), To: v.Get("to")}
	f := auth.AuditFilter{Actor: p.Who, Action: p.What}
	zone := ui.userZone(r)
	if p.From != "" {
		t, err := time.ParseInLocation(time.DateOnly, p.From, zone)
		p.BadDate = p.BadDate || err != nil
		f.From = t
	}
	if p.To != "" {
		t, err := time.ParseInLocation(time.DateOnly, p.To, zone)
		p.BadDate = p.BadDate || err != nil
		if err == nil {
			f.To = t.AddDate(0, 0, 1)
		}
	}
	return f, p
}

func (ui *UI) showAudit(w http.ResponseWriter, r *http.Request) {
	locale := ui.requestLocale(r)
	f, p := ui.auditQuery(r)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	f.Offset, f.Limit = (page-1)*auditPerPage, auditPerPage
	entries, total, err := ui.Users.SearchAudit(r.Context(), f)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	actors, actions, err := ui.Users.AuditNames(r.Context())
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	p.Actors, p.Actions, p.Total = actors, auditActionChoices(locale, actions, p.What), total
	for _, e := range entries {
		p.Entries = append(p.Entries, auditRow{Entry: e, Label: auditLabel(locale, e.Action)})
	}
	if len(entries) > 0 {
		p.First, p.Last = f.Offset+1, f.Offset+len(entries)
	}
	if page > 1 {
		p.Prev = p.link("/admin/audit", page-1)
	}
	if page*auditPerPage < total {
		p.Next = p.link("/admin/audit", page+1)
	}
	p.Export = p.link("/admin/audit.xlsx", 0)
	var alert string
	if p.BadDate {
		alert = T(locale, "audit.bad_date")
	}
	ui.render(w, r, http.StatusOK, "audit", view{Title: "audit.title", Error: alert, Data: p})
}

// link is the address of this filter on another page, or of its export (page 0).
func (p auditPage) link(path string, page int) string {
	q := url.Values{}
	for k, v := range map[string]string{"who": p.Who, "what": p.What, "from": p.From, "to": p.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// auditXLSX is the filtered log as an Excel file: times in the user's zone (the zone in the header), actions as
// their labels with the code beside, details as JSON. Who took it is itself in the log.
func (ui *UI) auditXLSX(w http.ResponseWriter, r *http.Request) {
	locale, zone := ui.requestLocale(r), ui.userZone(r)
	f, _ := ui.auditQuery(r)
	f.Limit = auditExportMax
	entries, _, err := ui.Users.SearchAudit(r.Context(), f)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	rows := [][]any{{T(locale, "audit.at") + " (" + zoneLabel(locale, zone, time.Now()) + ")", T(locale, "audit.actor"),
		T(locale, "audit.action"), T(locale, "audit.code"), T(locale, "audit.object"), T(locale, "audit.ip"),
		T(locale, "audit.detail")}}
	for _, e := range entries {
		ip := ""
		if e.IP.IsValid() {
			ip = e.IP.String()
		}
		rows = append(rows, []any{e.At.In(zone).Format("2006-01-02 15:04:05"), e.Actor, auditLabel(locale, e.Action),
			e.Action, e.Object, ip, detailText(e.Detail)})
	}
	buf, err := oneSheet(T(locale, "audit.title"), rows)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	me := currentUser(r)
	ui.audit(r, auth.Entry{UserID: &me.ID, Actor: me.Login, Action: "audit.export", Object: "audit.xlsx",
		Detail: map[string]any{"entries": len(entries), "who": f.Actor, "what": f.Action}})
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="dozvon-audit-`+time.Now().In(zone).Format("2006-01-02")+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

// oneSheet is a workbook of one sheet; every cell is a value, never a formula, whatever its text.
func oneSheet(name string, rows [][]any) (*bytes.Buffer, error) {
	wb := excelize.NewFile()
	defer wb.Close()
	if err := wb.SetSheetName("Sheet1", name); err != nil {
		return nil, fmt.Errorf("operatorui: workbook: %w", err)
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := wb.SetSheetRow(name, cell, &row); err != nil {
			return nil, fmt.Errorf("operatorui: workbook %s: %w", name, err)
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		return nil, fmt.Errorf("operatorui: workbook %s: %w", name, err)
	}
	return &buf, nil
}

func detailText(d map[string]any) string {
	if len(d) == 0 {
		return ""
	}
	parts := make([]string, 0, len(d))
	for k, v := range d {
		parts = append(parts, fmt.Sprintf("%s=%v", k, v))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// auditLabel names an action in the reader's language; an action the catalog does not know (a newer one) is
// shown as its code.
func auditLabel(locale, action string) string {
	if _, ok := catalog["audit.do."+action]; ok {
		return T(locale, "audit.do."+action)
	}
	return action
}

// auditActionChoices offers each group of actions ("campaign.": every campaign action) and each action, chosen
// selected.
func auditActionChoices(locale string, actions []string, chosen string) []choice {
	out := []choice{{Value: "", Label: T(locale, "audit.any"), Selected: chosen == ""}}
	seen := map[string]bool{}
	for _, a := range actions {
		group, _, ok := strings.Cut(a, ".")
		if ok && !seen[group] {
			seen[group] = true
			label := T(locale, "audit.group."+group)
			if strings.HasPrefix(label, "[") {
				label = group + ".*"
			}
			out = append(out, choice{Value: group + ".", Label: label, Selected: chosen == group+"."})
		}
		out = append(out, choice{Value: a, Label: "— " + auditLabel(locale, a), Selected: chosen == a})
	}
	return out
}
