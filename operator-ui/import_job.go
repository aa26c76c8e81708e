package operatorui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"dozvon/campaigns/imports"
	"dozvon/internal/auth"
)

// An import's page: its progress while it runs (imports.js polls importProgress and reloads the page at the
// end), then its report — the counts and the rejected rows by line and field, downloadable as CSV.

type importJobPage struct {
	importRow
	Percent  int
	Measured bool  // Percent is known: the import ended, or this instance runs it and knows the file's size
	More     int64 // problems counted but not kept
}

func (ui *UI) showImportJob(w http.ResponseWriter, r *http.Request) {
	j, ok := ui.importJobOf(w, r)
	if !ok {
		return
	}
	rows, err := ui.withWho(r.Context(), []imports.Job{j})
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	page := importJobPage{importRow: rows[0], More: j.ProblemCount - int64(len(j.Problems))}
	page.Percent, page.Measured = importPercent(j, ui.importer.size(j.ID))
	ui.render(w, r, http.StatusOK, "import_job", view{Title: "job.title", Data: page})
}

// importProgressJSON is what the import's page polls while it runs.
type importProgressJSON struct {
	ID           int64  `json:"id"`
	Status       string `json:"status"`
	StatusLabel  string `json:"status_label"`
	RowsDone     int64  `json:"rows_done"`
	BytesDone    int64  `json:"bytes_done"`
	Percent      *int   `json:"percent"` // null when unknown: another instance runs the import
	Inserted     int64  `json:"inserted"`
	Updated      int64  `json:"updated"`
	Unchanged    int64  `json:"unchanged"`
	Rejected     int64  `json:"rejected"`
	ProblemCount int64  `json:"problem_count"`
}

func (ui *UI) importProgress(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeJSONError(w, http.StatusNotFound, "no such import")
		return
	}
	if !ui.importsOn(w, r) {
		return
	}
	j, err := imports.GetJob(r.Context(), ui.ImportsDB, id)
	if errors.Is(err, imports.ErrJobNotFound) {
		writeJSONError(w, http.StatusNotFound, "no such import")
		return
	}
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	out := importProgressJSON{ID: j.ID, Status: j.Status, StatusLabel: T(ui.requestLocale(r), "imports.status_"+j.Status),
		RowsDone: j.RowsDone, BytesDone: j.BytesDone, Inserted: j.Inserted, Updated: j.Updated,
		Unchanged: j.Unchanged, Rejected: j.Rejected, ProblemCount: j.ProblemCount}
	if p, ok := importPercent(j, ui.importer.size(j.ID)); ok {
		out.Percent = &p
	}
	writeJSON(w, http.StatusOK, out)
}

// importPercent is the share of the file read: 100 once the import is done, and while it runs, the bytes read of
// the file's size, kept below 100 until the last batch is saved.
func importPercent(j imports.Job, size int64) (int, bool) {
	switch {
	case j.Status == imports.JobDone:
		return 100, true
	case j.Status == imports.JobRunning && size > 0:
		return int(min(99, j.BytesDone*100/size)), true
	}
	return 0, false
}

// importProblemsCSV is the rejected rows for the manager to fix. Their values may be phone numbers, so who took
// the file is in the audit log.
func (ui *UI) importProblemsCSV(w http.ResponseWriter, r *http.Request) {
	j, ok := ui.importJobOf(w, r)
	if !ok {
		return
	}
	// The reasons read as the page shows them, in the manager's language: the file is for a person fixing rows
	// in a spreadsheet next to the page, and the same row should say the same thing in both. Programs that want
	// the engine's English get it from the API.
	locale := ui.requestLocale(r)
	problems := make([]imports.Problem, len(j.Problems))
	for i, p := range j.Problems {
		p.Reason = messageOr(locale, p.Msg, p.Reason)
		problems[i] = p
	}
	var buf bytes.Buffer
	if err := imports.WriteProblemsCSV(&buf, problems); err != nil {
		ui.serverError(w, r, err)
		return
	}
	u := currentUser(r)
	ui.audit(r, auth.Entry{UserID: &u.ID, Actor: u.Login, Action: "import.problems_export", Object: j.FileName,
		Detail: map[string]any{"import": j.ID}})
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="import-%d-problems.csv"`, j.ID))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

func (ui *UI) importJobOf(w http.ResponseWriter, r *http.Request) (imports.Job, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		ui.notFound(w, r)
		return imports.Job{}, false
	}
	if !ui.importsOn(w, r) {
		return imports.Job{}, false
	}
	j, err := imports.GetJob(r.Context(), ui.ImportsDB, id)
	if errors.Is(err, imports.ErrJobNotFound) {
		ui.notFound(w, r)
		return j, false
	}
	if err != nil {
		ui.serverError(w, r, err)
		return j, false
	}
	return j, true
}

// importEnded records a finished import in the audit log, as the command line does, and lets its upload go
// unless it was only a check (the manager may import it next) or it failed (they may try again).
func (ui *UI) importEnded(userID int64, login string, ip netip.Addr, u upload, rep imports.Report, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log := ui.Log.With().Int64("import", rep.JobID).Logger()
	if err != nil {
		log.Warn().Err(err).Msg("import failed")
	}
	detail := map[string]any{"import": rep.JobID, "rows": rep.Rows, "inserted": rep.Inserted,
		"updated": rep.Updated, "rejected": rep.Rejected, "dry_run": rep.DryRun}
	if err != nil {
		detail["error"] = err.Error()
	}
	if aerr := ui.Users.Audit(ctx, auth.Entry{UserID: &userID, Actor: login, Action: "import." + string(rep.Dataset),
		Object: u.Name, Detail: detail, IP: ip}); aerr != nil {
		log.Error().Err(aerr).Msg("audit")
	}
	if err == nil && !rep.DryRun {
		ui.uploads().Remove(ctx, u.ID)
	}
}
