package operatorui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"dozvon/campaigns/imports"
	"dozvon/internal/msg"
)

// The import page: a manager picks what a file holds and uploads it; the preview follows (import_preview.go).
// Below the form, the history of every import — from this page, the command line and the API.

const importsShown = 50

type importsPage struct {
	Datasets []imports.Dataset
	Dataset  imports.Dataset // chosen
	MaxMiB   int64
	Jobs     []importRow
	Expected []expectedColumns // what each dataset's file holds, with its sample file
}

// expectedColumns is one dataset's columns as the page lists them beside its sample file.
type expectedColumns struct {
	Dataset imports.Dataset
	Columns []imports.ExpectedColumn
}

// importRow is an import in the history with who started it.
type importRow struct {
	imports.Job
	Who string // a user's login, an API token's name, or "" for the command line
}

func (ui *UI) showImports(w http.ResponseWriter, r *http.Request) {
	ui.renderImports(w, r, http.StatusOK, imports.Clients, "")
}

func (ui *UI) renderImports(w http.ResponseWriter, r *http.Request, status int, d imports.Dataset, errMsg string) {
	if !ui.importsOn(w, r) {
		return
	}
	jobs, err := imports.ListJobs(r.Context(), ui.ImportsDB, importsShown)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	rows, err := ui.withWho(r.Context(), jobs)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	page := importsPage{Datasets: imports.Datasets, Dataset: d, MaxMiB: ui.uploads().Max() >> 20, Jobs: rows}
	for _, x := range imports.Datasets {
		page.Expected = append(page.Expected, expectedColumns{Dataset: x, Columns: imports.ExpectedColumns(x)})
	}
	ui.render(w, r, status, "imports", view{Title: "imports.title", Error: errMsg, Data: page})
}

// importSample is a dataset's sample file: the headers the engine knows and two rows that load as they are.
func (ui *UI) importSample(w http.ResponseWriter, r *http.Request) {
	d, err := imports.ParseDataset(strings.TrimSuffix(r.PathValue("file"), ".csv"))
	if err != nil || !strings.HasSuffix(r.PathValue("file"), ".csv") {
		ui.notFound(w, r)
		return
	}
	var buf bytes.Buffer
	if err := imports.WriteSample(&buf, d); err != nil {
		ui.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="dozvon-sample-`+string(d)+`.csv"`)
	_, _ = buf.WriteTo(w)
}

var (
	errNoFile    = errors.New("operatorui: no file in the upload")
	errNoDataset = errors.New("operatorui: no dataset in the upload")
)

// uploadImport keeps the uploaded file on disk, streamed rather than held in memory, and shows its preview.
func (ui *UI) uploadImport(w http.ResponseWriter, r *http.Request) {
	locale := ui.requestLocale(r)
	store := ui.uploads()
	ui.allowSlowBody(w, r)                                     // a big file over a slow branch-office line
	r.Body = http.MaxBytesReader(w, r.Body, store.Max()+1<<20) // the file and a little for the form around it
	u, err := receiveUpload(r, store, currentUser(r).ID)
	d := u.Dataset
	if d == "" {
		d = imports.Clients
	}
	switch {
	case errors.Is(err, imports.ErrUploadTooLarge):
		ui.renderImports(w, r, http.StatusRequestEntityTooLarge, d, T(locale, "imports.too_large", store.Max()>>20))
		return
	case errors.Is(err, errNoFile):
		ui.renderImports(w, r, http.StatusUnprocessableEntity, d, T(locale, "imports.no_file"))
		return
	case errors.Is(err, errNoDataset):
		ui.renderImports(w, r, http.StatusUnprocessableEntity, d, T(locale, "imports.no_dataset"))
		return
	case err != nil:
		zerolog.Ctx(r.Context()).Warn().Err(err).Msg("import upload failed")
		ui.renderImports(w, r, http.StatusBadRequest, d, T(locale, "imports.upload_failed"))
		return
	}
	// A picture or another file that is no table goes back at once, with what it seems to be.
	var notTable *imports.NotTableError
	if _, err := ui.previewUpload(u, imports.Options{Dataset: d}); errors.As(err, &notTable) {
		store.Remove(context.WithoutCancel(r.Context()), u.ID)
		ui.renderImports(w, r, http.StatusUnprocessableEntity, d, T(locale, "imports.not_table", u.Name, notTableText(locale, notTable)))
		return
	}
	http.Redirect(w, r, "/imports/uploads/"+u.ID, http.StatusSeeOther)
}

// receiveUpload reads the multipart form in whatever order its parts come: the dataset and the file.
func receiveUpload(r *http.Request, store *imports.Uploads, userID int64) (u upload, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return u, errNoFile
	}
	u = upload{UserID: userID, At: time.Now()}
	defer func() {
		if err != nil && u.ID != "" {
			store.Remove(context.WithoutCancel(r.Context()), u.ID)
		}
	}()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return u, err
		}
		switch part.FormName() {
		case "dataset":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			if d, err := imports.ParseDataset(string(b)); err == nil {
				u.Dataset = d
			}
		case "file":
			if part.FileName() == "" || u.ID != "" { // no file chosen, or a second one
				break
			}
			if u.ID, u.Size, err = store.Receive(r.Context(), userID, part); err != nil {
				if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) { // the whole request was
					err = imports.ErrUploadTooLarge
				}
				return u, err
			}
			u.Name = part.FileName()
		}
		part.Close()
	}
	switch {
	case u.ID == "" || u.Size == 0:
		return u, errNoFile
	case u.Dataset == "":
		return u, errNoDataset
	}
	return u, store.Describe(r.Context(), u)
}

// importsOn answers 503 when the process was started without a database for imports.
func (ui *UI) importsOn(w http.ResponseWriter, r *http.Request) bool {
	if ui.ImportsDB != nil {
		return true
	}
	if strings.Contains(r.URL.Path, "/api/") {
		ui.refuseAPI(w, r, http.StatusServiceUnavailable, msg.New("api.imports_off"))
	} else {
		http.Error(w, "imports are not available on this server", http.StatusServiceUnavailable)
	}
	return false
}

// withWho names who started each import: a user's login or an API token's name.
func (ui *UI) withWho(ctx context.Context, jobs []imports.Job) ([]importRow, error) {
	users, err := ui.Users.List(ctx)
	if err != nil {
		return nil, err
	}
	tokens, err := ui.Users.ListTokens(ctx)
	if err != nil {
		return nil, err
	}
	logins := map[int64]string{}
	for _, u := range users {
		logins[u.ID] = u.Login
	}
	names := map[int64]string{}
	for _, t := range tokens {
		names[t.ID] = t.Name
	}
	rows := make([]importRow, len(jobs))
	for i, j := range jobs {
		rows[i].Job = j
		switch {
		case j.TokenID != nil:
			rows[i].Who = names[*j.TokenID]
		case j.UserID != nil:
			rows[i].Who = logins[*j.UserID]
		}
	}
	return rows, nil
}
