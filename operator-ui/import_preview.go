package operatorui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"dozvon/campaigns/imports"
)

// The preview of an uploaded file: how it was read (encoding and delimiter, which the manager may change), where
// each column goes (a select per header, prefilled with the suggestion), and the first rows checked, with the bad
// cells marked. "Check again" previews with the choices made; "Import" starts the import in the background.

// importForm is the manager's choices, from the preview's form; what is empty is detected or suggested.
type importForm struct {
	Dataset   imports.Dataset
	Encoding  imports.Encoding
	Delimiter string
	Mapping   imports.Mapping
	DryRun    bool
}

// readImportForm reads the choices. The mapping comes as column and field pairs, in the headers' order; it
// counts only for the dataset it was made for (mapped_for), since another dataset has other fields.
func readImportForm(v url.Values, u upload) importForm {
	f := importForm{Dataset: u.Dataset, DryRun: v.Get("dry_run") != ""}
	if d, err := imports.ParseDataset(v.Get("dataset")); err == nil {
		f.Dataset = d
	}
	f.Encoding, _ = imports.ParseEncoding(v.Get("encoding"))
	f.Delimiter, _ = imports.ParseDelimiter(v.Get("delimiter"))
	columns, fields := v["column"], v["field"]
	if v.Get("mapped_for") == string(f.Dataset) && len(columns) == len(fields) && len(columns) > 0 {
		f.Mapping = imports.Mapping{}
		for i, c := range columns {
			f.Mapping[c] = fields[i]
		}
	}
	return f
}

func (f importForm) options() imports.Options {
	return imports.Options{Dataset: f.Dataset, Encoding: f.Encoding, Delimiter: f.Delimiter, Mapping: f.Mapping,
		DryRun: f.DryRun}
}

type importPreviewPage struct {
	Upload    upload
	Form      importForm
	Preview   imports.FilePreview
	Datasets  []choice
	Encodings []choice
	Delims    []choice
	Columns   []previewColumn
	Rows      []previewRow
	Checked   bool   // the rows were checked with the mapping shown (not when the mapping is wrong)
	Missing   string // the required fields no column maps to, as the selects name them
}

// choice is an option of a select, its label in the page's language.
type choice struct {
	Value, Label string
	Selected     bool
}

type previewColumn struct {
	Header  string
	Choices []choice
}

type previewRow struct {
	Line     int
	Cells    []previewCell
	Problems []string
}

type previewCell struct{ Text, Problem string }

func (ui *UI) showImportPreview(w http.ResponseWriter, r *http.Request) {
	u, ok := ui.uploadOf(w, r)
	if !ok {
		return
	}
	ui.renderPreview(w, r, http.StatusOK, u, readImportForm(r.URL.Query(), u), "")
}

// startImport checks the choices as the preview does, so that a mistake comes back to the page rather than into
// the history, then runs the import in the background and shows its progress.
func (ui *UI) startImport(w http.ResponseWriter, r *http.Request) {
	u, ok := ui.uploadOf(w, r)
	if !ok || !ui.importsOn(w, r) {
		return
	}
	locale := ui.requestLocale(r)
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	form := readImportForm(r.PostForm, u)
	pv, err := ui.previewUpload(u, form.options())
	if err != nil || len(pv.Missing) > 0 {
		ui.renderPreview(w, r, http.StatusUnprocessableEntity, u, form, "")
		return
	}
	size := u.Size
	if pv.Format == imports.FormatXLSX { // a workbook is read whole first: its bytes say nothing of the progress
		size = 0
	}
	f := ui.uploads().Open(u)
	user, ip := currentUser(r), ui.clientIP(r)
	opts := form.options()
	opts.FileName, opts.UserID, opts.Connections = u.Name, user.ID, 1
	id, err := ui.importer.start(ui.ImportsDB, f, size, opts, func(rep imports.Report, err error) {
		ui.importEnded(user.ID, user.Login, ip, u, rep, err)
	})
	switch {
	case errors.Is(err, errImportsBusy):
		ui.renderPreview(w, r, http.StatusTooManyRequests, u, form, T(locale, "preview.busy"))
		return
	case err != nil:
		ui.renderPreview(w, r, http.StatusUnprocessableEntity, u, form, T(locale, "preview.unreadable", errText(locale, err)))
		return
	}
	http.Redirect(w, r, "/imports/jobs/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// uploadOf is the upload the path names, if it is the current user's; else the 404 page.
func (ui *UI) uploadOf(w http.ResponseWriter, r *http.Request) (upload, bool) {
	u, err := ui.uploads().Get(r.Context(), r.PathValue("upload"), currentUser(r).ID)
	if errors.Is(err, imports.ErrNoUpload) {
		ui.notFound(w, r)
		return u, false
	}
	if err != nil {
		ui.serverError(w, r, err)
		return u, false
	}
	return u, true
}

func (ui *UI) previewUpload(u upload, opts imports.Options) (imports.FilePreview, error) {
	f := ui.uploads().Open(u)
	defer f.Close()
	return imports.Preview(f, opts)
}

// renderPreview shows the file as the choices read it, and why it cannot be imported so, if it cannot.
func (ui *UI) renderPreview(w http.ResponseWriter, r *http.Request, status int, u upload, form importForm, errMsg string) {
	locale := ui.requestLocale(r)
	pv, checked, err := ui.readPreview(u, form)
	if err != nil {
		if errMsg == "" {
			errMsg = T(locale, "preview.unreadable", errText(locale, err))
		}
		if status == http.StatusOK {
			status = http.StatusUnprocessableEntity
		}
	}
	page := importPreviewPage{Upload: u, Form: form, Preview: pv, Checked: checked,
		Datasets: datasetChoices(locale, form.Dataset), Encodings: encodingChoices(locale, form.Encoding, pv.Encoding),
		Delims: delimiterChoices(locale, form.Delimiter, pv.Delimiter), Columns: columnChoices(locale, pv)}
	for _, row := range pv.Rows {
		page.Rows = append(page.Rows, previewRowOf(locale, row, pv.Headers, checked))
	}
	names := make([]string, len(pv.Missing))
	for i, f := range pv.Missing {
		names[i] = importFieldLabel(locale, f)
	}
	page.Missing = strings.Join(names, ", ")
	ui.render(w, r, status, "import_preview", view{Title: "preview.title", Error: errMsg, Data: page})
}

// readPreview previews the file with the choices. A mapping the engine refuses (two columns for one field) is
// kept as chosen, with the error, over the file's rows unchecked (checked is false); a mapping of headers the file
// no longer has — another encoding or delimiter reads other ones — gives way to the suggestion. A file that cannot
// be read at all has only the error.
func (ui *UI) readPreview(u upload, form importForm) (pv imports.FilePreview, checked bool, err error) {
	pv, err = ui.previewUpload(u, form.options())
	if err == nil || form.Mapping == nil {
		return pv, err == nil, err
	}
	opts := form.options()
	opts.Mapping = nil
	suggested, err2 := ui.previewUpload(u, opts)
	switch {
	case err2 != nil:
		return pv, false, err
	case !namesColumns(form.Mapping, suggested.Headers):
		return suggested, true, nil
	}
	suggested.Mapping, suggested.Missing = form.Mapping, nil
	return suggested, false, err
}

func datasetChoices(locale string, d imports.Dataset) []choice {
	out := make([]choice, len(imports.Datasets))
	for i, x := range imports.Datasets {
		out[i] = choice{Value: string(x), Label: T(locale, "dataset."+string(x)), Selected: x == d}
	}
	return out
}

func encodingChoices(locale string, chosen, detected imports.Encoding) []choice {
	auto := T(locale, "preview.detect")
	if chosen == "" && detected != "" {
		auto = T(locale, "preview.detected", string(detected))
	}
	out := []choice{{Value: "auto", Label: auto, Selected: chosen == ""}}
	for _, e := range []imports.Encoding{imports.UTF8, imports.CP1251, imports.UTF16LE, imports.UTF16BE} {
		out = append(out, choice{Value: string(e), Label: string(e), Selected: e == chosen})
	}
	return out
}

func delimiterChoices(locale, chosen, detected string) []choice {
	names := map[string]string{";": "delim.semicolon", ",": "delim.comma", "\t": "delim.tab", "|": "delim.pipe"}
	auto := T(locale, "preview.detect")
	if chosen == "" && detected != "" {
		auto = T(locale, "preview.detected", T(locale, names[detected]))
	}
	out := []choice{{Value: "auto", Label: auto, Selected: chosen == ""}}
	for _, d := range []struct{ value, delim string }{{";", ";"}, {",", ","}, {"tab", "\t"}, {"|", "|"}} {
		out = append(out, choice{Value: d.value, Label: T(locale, names[d.delim]), Selected: d.delim == chosen})
	}
	return out
}

// columnChoices offers each header every field of the dataset, "ignore" and, where the dataset keeps them,
// extra data; the mapping in force is selected.
func columnChoices(locale string, pv imports.FilePreview) []previewColumn {
	base := []choice{{Value: imports.Skip, Label: T(locale, "preview.ignore")}}
	if extra := imports.ExtraColumn(pv.Dataset); extra != "" {
		base = append(base, choice{Value: imports.Extra, Label: T(locale, "preview.extra", extra)})
	}
	for _, f := range imports.Fields(pv.Dataset) {
		label := importFieldLabel(locale, f.Name)
		if f.Required {
			label += " *"
		}
		base = append(base, choice{Value: f.Name, Label: label})
	}
	out := make([]previewColumn, len(pv.Headers))
	for i, h := range pv.Headers {
		c := previewColumn{Header: h, Choices: make([]choice, len(base))}
		copy(c.Choices, base)
		for j := range c.Choices {
			c.Choices[j].Selected = c.Choices[j].Value == pv.Mapping[h]
		}
		out[i] = c
	}
	return out
}

// namesColumns tells whether every column a mapping names is a header of the file.
func namesColumns(m imports.Mapping, headers []string) bool {
	for column := range m {
		if !slices.Contains(headers, column) {
			return false
		}
	}
	return true
}

// importFieldLabel names a field of the import engine for people, with its own name for those who read the docs.
func importFieldLabel(locale, field string) string {
	return fmt.Sprintf("%s (%s)", T(locale, "field."+field), field)
}

// previewRowOf marks each cell that a problem names by its column; problems of the row as a whole (a line the
// reader gave up on) are listed with the others.
func previewRowOf(locale string, row imports.PreviewRow, headers []string, checked bool) previewRow {
	out := previewRow{Line: row.Line, Cells: make([]previewCell, len(headers))}
	for i := range headers {
		if i < len(row.Cells) {
			out.Cells[i].Text = row.Cells[i]
		}
	}
	if !checked {
		return out
	}
	for _, p := range row.Problems {
		out.Problems = append(out.Problems, problemText(locale, p))
		for i, h := range headers {
			if p.Column != "" && p.Column == h && out.Cells[i].Problem == "" {
				out.Cells[i].Problem = problemText(locale, p)
			}
		}
	}
	return out
}

// problemText reads like `inn: "77071234" is not 10 or 12 digits`, or in Russian `inn: "77071234" — нужно 10
// или 12 цифр` (a Russian reason is not a predicate of the value); the line is shown beside it.
func problemText(locale string, p imports.Problem) string {
	s, sep := messageOr(locale, p.Msg, p.Reason), " "
	if locale != "en" {
		sep = " — "
	}
	if p.Value != "" {
		s = strconv.Quote(p.Value) + sep + s
	}
	if p.Field != "" {
		s = p.Field + ": " + s
	}
	return s
}
