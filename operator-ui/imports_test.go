package operatorui_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"dozvon/campaigns/imports"
	"dozvon/internal/auth"
	operatorui "dozvon/operator-ui"
)

// clientsExport is what Russian Excel saves as "CSV (разделители — точка с запятой)": Windows-1251, ';', CRLF.
// Line 3 has an INN with too few digits.
func clientsExport(t *testing.T) []byte {
	t.Helper()
	b, err := charmap.Windows1251.NewEncoder().String(strings.Join([]string{
		"Код клиента;ИНН;Наименование;Телефон;Регион;Примечание",
		"К-1;7707083893;ООО «Ромашка»;8 918 123-45-67;г. Москва;VIP",
		"К-2;77071234;ООО «Лютик»;+79181234568;Хабаровский край;",
		"К-3;2540123459;АО «Приморский рыбак»;89241234567;Приморский край;",
	}, "\r\n") + "\r\n")
	if err != nil {
		t.Fatal(err)
	}
	return []byte(b)
}

// upload sends a file through the import page's form, as a browser does, and returns the response (not
// followed) with its body.
func (s *site) upload(c *http.Client, dataset, name string, data []byte) (*http.Response, string) {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("dataset", dataset)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

// uploaded uploads a file and returns its preview's path.
func (s *site) uploaded(c *http.Client, dataset, name string, data []byte) string {
	s.t.Helper()
	res, body := s.upload(c, dataset, name, data)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/imports/uploads/[0-9a-f]{32}$`).MatchString(loc) {
		s.t.Fatalf("upload: %d to %q\n%s", res.StatusCode, loc, errorOf(body))
	}
	return loc
}

var (
	selectRe   = regexp.MustCompile(`(?s)<select name="field"[^>]*data-testid="(map-\d+)">(.*?)</select>`)
	selectedRe = regexp.MustCompile(`<option value="([^"]*)" selected>`)
	headerRe   = regexp.MustCompile(`data-testid="header-\d+">([^<]*)<`)
)

// mappingOn reads the preview's mapping as its selects show it: header → selected field.
func mappingOn(t *testing.T, body string) map[string]string {
	t.Helper()
	headers := headerRe.FindAllStringSubmatch(body, -1)
	selects := selectRe.FindAllStringSubmatch(body, -1)
	if len(headers) == 0 || len(headers) != len(selects) {
		t.Fatalf("%d headers and %d selects on the preview", len(headers), len(selects))
	}
	m := map[string]string{}
	for i, h := range headers {
		sel := selectedRe.FindStringSubmatch(selects[i][2])
		if sel == nil {
			t.Fatalf("nothing selected for %s", h[1])
		}
		m[html.UnescapeString(h[1])] = sel[1]
	}
	return m
}

// importForm is the preview's form as the manager submits it: each header with its field, in the file's order.
func importForm(dataset string, headers, fields []string, extra url.Values) url.Values {
	v := url.Values{"mapped_for": {dataset}, "dataset": {dataset}, "encoding": {"auto"}, "delimiter": {"auto"},
		"column": headers, "field": fields}
	for k, vs := range extra {
		v[k] = vs
	}
	return v
}

var exportHeaders = []string{"Код клиента", "ИНН", "Наименование", "Телефон", "Регион", "Примечание"}

type progress struct {
	ID           int64  `json:"id"`
	Status       string `json:"status"`
	StatusLabel  string `json:"status_label"`
	RowsDone     int64  `json:"rows_done"`
	BytesDone    int64  `json:"bytes_done"`
	Percent      *int   `json:"percent"`
	Inserted     int64  `json:"inserted"`
	Updated      int64  `json:"updated"`
	Unchanged    int64  `json:"unchanged"`
	Rejected     int64  `json:"rejected"`
	ProblemCount int64  `json:"problem_count"`
}

// startImport posts the preview's form and returns the import's id from the page it leads to.
func (s *site) startImport(c *http.Client, preview string, form url.Values) int64 {
	s.t.Helper()
	res, body := s.postPage(c, preview+"/import", form)
	loc := res.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/imports/jobs/"), 10, 64)
	if res.StatusCode != http.StatusSeeOther || err != nil {
		s.t.Fatalf("import: %d to %q\n%s", res.StatusCode, loc, errorOf(body))
	}
	return id
}

// pollUntilEnded polls the import's progress, as its page does, until it is no longer running.
func (s *site) pollUntilEnded(c *http.Client, id int64) progress {
	s.t.Helper()
	var p progress
	waitFor(s.t, fmt.Sprintf("import %d to end", id), func() bool {
		res, body := s.get(c, fmt.Sprintf("/imports/api/jobs/%d", id))
		if res.StatusCode != http.StatusOK {
			s.t.Fatalf("progress: %d %s", res.StatusCode, body)
		}
		p = decode[progress](s.t, body)
		return p.Status != imports.JobRunning
	})
	return p
}

// A campaign manager uploads Russian Excel's export, sees it read as Windows-1251 with ';' and its columns
// mapped, the bad INN marked in the first rows, imports it in the background, follows the progress to the end,
// and reads the rejected row by line and field — on the page and in the CSV.
func TestManagerUploadsPreviewsImportsAndSeesTheRejectedRow(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	preview := s.uploaded(c, "clients", "clients.csv", clientsExport(t))

	res, body := s.get(c, preview)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d\n%s", res.StatusCode, errorOf(body))
	}
	for _, want := range []string{
		`<option value="auto" selected>detect (found: windows-1251)</option>`,
		`<option value="auto" selected>detect (found: ; (semicolon))</option>`,
		`<b data-testid="p-format">CSV</b>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the preview does not show %s", want)
		}
	}
	wantMapping := map[string]string{"Код клиента": "external_id", "ИНН": "inn", "Наименование": "company_name",
		"Телефон": "phone", "Регион": "region", "Примечание": imports.Extra}
	if got := mappingOn(t, body); fmt.Sprint(got) != fmt.Sprint(wantMapping) {
		t.Errorf("suggested mapping %v, want %v", got, wantMapping)
	}
	// Each of the first rows is checked; line 3's INN cell is marked with the reason.
	lines := regexp.MustCompile(`data-testid="preview-row" data-line="(\d+)"`).FindAllStringSubmatch(body, -1)
	if len(lines) != 3 || lines[0][1] != "2" || lines[2][1] != "4" {
		t.Errorf("preview rows %v, want lines 2, 3 and 4", lines)
	}
	if !strings.Contains(body, `<td class="cell-bad">77071234<small class="cell-problem" data-testid="cell-problem">inn: &#34;77071234&#34; is not 10 or 12 digits</small></td>`) {
		t.Error("the INN of line 3 is not marked as a problem")
	}
	if n := strings.Count(body, `class="cell-bad"`); n != 1 {
		t.Errorf("%d cells marked, want 1", n)
	}

	// Import with the suggestion, the note kept as an attribute; the page follows the progress to the end.
	id := s.startImport(c, preview, importForm("clients", exportHeaders,
		[]string{"external_id", "inn", "company_name", "phone", "region", "extra"}, nil))
	p := s.pollUntilEnded(c, id)
	if p.Status != imports.JobDone || p.RowsDone != 3 || p.Inserted != 2 || p.Rejected != 1 || p.ProblemCount != 1 ||
		p.Percent == nil || *p.Percent != 100 || p.StatusLabel != "Done" {
		t.Errorf("at the end: %+v", p)
	}

	res, body = s.get(c, fmt.Sprintf("/imports/jobs/%d", id))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("import page: %d", res.StatusCode)
	}
	for id, want := range map[string]string{"job-status": "Done", "import-percent": "100%", "job-rows": "3",
		"job-inserted": "2", "job-rejected": "1", "problem-line": "3", "problem-value": "77071234",
		"problem-reason": "is not 10 or 12 digits", "job-file": "clients.csv"} {
		if got := testid(t, body, id); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if !strings.Contains(body, `<td data-testid="problem-field"><code>inn</code></td>`) {
		t.Error("the rejected row's field is not inn")
	}

	res, csv := s.get(c, fmt.Sprintf("/imports/jobs/%d/problems.csv", id))
	if want := "\ufeffline;field;column;value;reason\n3;inn;ИНН;77071234;is not 10 or 12 digits\n"; csv != want ||
		res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Errorf("problems.csv (%s):\n%q\nwant\n%q", res.Header.Get("Content-Type"), csv, want)
	}

	// What was loaded, and the history.
	var attrs map[string]any
	if err := s.Pool.QueryRow(context.Background(), `SELECT attributes FROM clients WHERE external_id = 'К-1'`).Scan(&attrs); err != nil ||
		attrs["Примечание"] != "VIP" {
		t.Errorf("К-1 attributes %v, %v", attrs, err)
	}
	_, body = s.get(c, "/imports")
	row := regexp.MustCompile(`(?s)<tr data-testid="import-row" data-import="` + strconv.FormatInt(id, 10) + `">.*?</tr>`).FindString(body)
	for id, want := range map[string]string{"import-who": "manager1", "import-file": "clients.csv",
		"import-inserted": "2", "import-rejected": "1", "import-status": "Done"} {
		if got := testid(t, row, id); got != want {
			t.Errorf("history %s = %q, want %q", id, got, want)
		}
	}
	if got := s.importAudit(t); got != "manager1 import.clients clients.csv" {
		t.Errorf("audit: %q", got)
	}
	// A real import lets the upload go; importing it again means uploading it again.
	if res, _ := s.get(c, preview); res.StatusCode != http.StatusNotFound {
		t.Errorf("the preview after the import: %d, want 404", res.StatusCode)
	}
}

// importAudit is the latest import entry of the audit log: who, what, which file.
func (s *site) importAudit(t *testing.T) string {
	t.Helper()
	entries, err := s.Users.AuditLog(context.Background(), 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "import.") && e.Action != "import.problems_export" {
			return e.Actor + " " + e.Action + " " + e.Object
		}
	}
	return ""
}

// "Check only" counts what an import would do and saves nothing; the file stays for the real import.
func TestCheckOnlySavesNothingAndKeepsTheFile(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	preview := s.uploaded(c, "clients", "clients.csv", clientsExport(t))
	fields := []string{"external_id", "inn", "company_name", "phone", "region", ""}
	id := s.startImport(c, preview, importForm("clients", exportHeaders, fields, url.Values{"dry_run": {"on"}}))
	if p := s.pollUntilEnded(c, id); p.Status != imports.JobDone || p.Inserted != 2 || p.Rejected != 1 {
		t.Errorf("check only: %+v", p)
	}
	if n := countClients(t, s); n != 0 {
		t.Errorf("check only saved %d clients", n)
	}
	_, body := s.get(c, fmt.Sprintf("/imports/jobs/%d", id))
	if !strings.Contains(body, `data-testid="dry-run-note"`) || testid(t, body, "job-dry-run") != "check only" {
		t.Error("the import's page does not say it only checked")
	}
	if res, _ := s.get(c, preview); res.StatusCode != http.StatusOK {
		t.Fatalf("the preview after a check: %d, want the file still there", res.StatusCode)
	}
	id = s.startImport(c, preview, importForm("clients", exportHeaders, fields, nil))
	if p := s.pollUntilEnded(c, id); p.Inserted != 2 || countClients(t, s) != 2 {
		t.Errorf("the import after the check: %+v, %d clients", p, countClients(t, s))
	}
}

// Instances keep no files: a file uploaded through one instance is previewed and imported through another, as
// behind a load balancer without sticky sessions.
func TestUploadThroughOneInstanceImportsThroughAnother(t *testing.T) {
	s := newSite(t)
	preview := s.uploaded(s.loggedIn(auth.Manager), "clients", "clients.csv", clientsExport(t))
	b := s.secondInstance(operatorui.HubOptions{})
	other := *s
	other.URL = b.URL
	c := s.loginAs(b.URL, "manager1")
	if res, body := other.get(c, preview); res.StatusCode != http.StatusOK || !strings.Contains(body, "clients.csv") {
		t.Fatalf("the preview on the other instance: %d\n%s", res.StatusCode, errorOf(body))
	}
	fields := []string{"external_id", "inn", "company_name", "phone", "region", ""}
	id := other.startImport(c, preview, importForm("clients", exportHeaders, fields, nil))
	if p := other.pollUntilEnded(c, id); p.Status != imports.JobDone || p.Inserted != 2 || p.Rejected != 1 {
		t.Errorf("the import on the other instance: %+v", p)
	}
	// The job is recorded done just before its upload is let go: wait for that, on the first instance.
	first := s.loggedIn(auth.Manager)
	waitFor(t, "the file gone from the first instance after its import", func() bool {
		res, _ := s.get(first, preview)
		return res.StatusCode == http.StatusNotFound
	})
}

func countClients(t *testing.T, s *site) int {
	t.Helper()
	var n int
	if err := s.Pool.QueryRow(context.Background(), `SELECT count(*) FROM clients`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The manager changes what the engine detected and suggested: another encoding reads other headers, a required
// field left without a column or two columns for one field are explained, and no import starts.
func TestPreviewFollowsTheManagersChoicesAndRefusesABadMapping(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	preview := s.uploaded(c, "clients", "clients.csv", clientsExport(t))

	// Read as UTF-8, the Windows-1251 bytes are not the same headers; the mapping starts again from them.
	_, body := s.get(c, preview+"?"+importForm("clients", exportHeaders,
		[]string{"external_id", "inn", "company_name", "phone", "region", ""}, url.Values{"encoding": {"utf-8"}}).Encode())
	if !strings.Contains(body, `<option value="utf-8" selected>utf-8</option>`) || strings.Contains(body, "Код клиента") {
		t.Error("the preview did not read the file as UTF-8")
	}
	if !strings.Contains(body, `data-testid="missing"`) {
		t.Error("read as UTF-8 no header is known, but no required field is said to be missing")
	}

	// The ID column ignored: the import is refused, with the field to map.
	form := importForm("clients", exportHeaders, []string{"", "inn", "company_name", "phone", "region", ""}, nil)
	res, body := s.postPage(c, preview+"/import", form)
	if res.StatusCode != http.StatusUnprocessableEntity ||
		testid(t, body, "missing") != "Choose a column for each required field: ID in the bank&#39;s system (external_id)." {
		t.Errorf("import without an ID column: %d %q", res.StatusCode, errorOf(body))
	}
	if !strings.Contains(body, `disabled>Import</button>`) {
		t.Error("the Import button is not disabled while a required field has no column")
	}
	// Two columns for the phone: the reason, and the choices as made.
	form = importForm("clients", exportHeaders, []string{"external_id", "phone", "company_name", "phone", "region", ""}, nil)
	res, body = s.postPage(c, preview+"/import", form)
	want := "The file cannot be imported this way: columns &#34;ИНН&#34; and &#34;Телефон&#34; both map to phone"
	if res.StatusCode != http.StatusUnprocessableEntity || errorOf(body) != want {
		t.Errorf("two columns for one field: %d %q, want %q", res.StatusCode, errorOf(body), want)
	}
	if got := mappingOn(t, body); got["ИНН"] != "phone" || got["Телефон"] != "phone" {
		t.Errorf("the choices were not kept: %v", got)
	}
	jobs, err := imports.ListJobs(context.Background(), s.Pool, 10)
	if err != nil || len(jobs) != 0 {
		t.Errorf("refused imports are in the history: %v %v", jobs, err)
	}

	// Another dataset offers its own fields, and the mapping made for clients does not follow.
	_, body = s.get(c, preview+"?"+importForm("clients", exportHeaders,
		[]string{"external_id", "inn", "company_name", "phone", "region", ""}, url.Values{"dataset": {"applications"}}).Encode())
	if got := mappingOn(t, body); got["Код клиента"] != "client_external_id" || got["ИНН"] != "" {
		t.Errorf("applications mapping %v", got)
	}
	if strings.Contains(body, `value="extra"`) {
		t.Error("applications keep no extra data, but the preview offers it")
	}
}

// An Excel workbook is previewed without an encoding or a delimiter to choose, and imports like a CSV file.
func TestWorkbookUploadPreviewsAndImports(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	wb := excelize.NewFile()
	for i, row := range [][]any{
		{"Код клиента", "ИНН", "Наименование", "Регион"},
		{"X-1", 105123458, "ИП Хачемизов А.Р.", "Адыгея"},
		{"X-2", 123, "ООО «Ошибка»", "Москва"},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := wb.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var file bytes.Buffer
	if err := wb.Write(&file); err != nil {
		t.Fatal(err)
	}
	preview := s.uploaded(c, "clients", "clients.xlsx", file.Bytes())
	_, body := s.get(c, preview)
	if testid(t, body, "p-format") != "XLSX" || strings.Contains(body, `name="encoding"`) || strings.Contains(body, `name="delimiter"`) {
		t.Error("the workbook's preview offers an encoding or a delimiter")
	}
	if got := mappingOn(t, body); got["Код клиента"] != "external_id" || got["ИНН"] != "inn" {
		t.Errorf("workbook mapping %v", got)
	}
	id := s.startImport(c, preview, importForm("clients", []string{"Код клиента", "ИНН", "Наименование", "Регион"},
		[]string{"external_id", "inn", "company_name", "region"}, nil))
	if p := s.pollUntilEnded(c, id); p.Status != imports.JobDone || p.Inserted != 1 || p.Rejected != 1 {
		t.Errorf("workbook import: %+v", p)
	}
	_, body = s.get(c, fmt.Sprintf("/imports/jobs/%d", id))
	if testid(t, body, "problem-line") != "3" || !strings.Contains(body, `<code>inn</code>`) {
		t.Error("the workbook's rejected row is not line 3, field inn")
	}
}

// An upload over the limit is refused with the limit and what to do instead; a missing file is explained; an
// upload belongs to whoever sent it.
func TestUploadLimitsAndOwnership(t *testing.T) {
	s := newSiteWith(t, func(d *operatorui.Deps) { d.MaxUpload = 1 << 20 })
	c := s.loggedIn(auth.Manager)
	res, body := s.upload(c, "clients", "big.csv", bytes.Repeat([]byte("x;"), 1<<19+1))
	if want := "The file is larger than 1 MiB. Split it, or load it on the server with the command line: dozvon import."; res.StatusCode != http.StatusRequestEntityTooLarge || errorOf(body) != want {
		t.Errorf("too large: %d %q", res.StatusCode, errorOf(body))
	}
	res, body = s.upload(c, "clients", "empty.csv", nil)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(errorOf(body), "Choose a file to upload") {
		t.Errorf("empty file: %d %q", res.StatusCode, errorOf(body))
	}
	preview := s.uploaded(c, "clients", "clients.csv", clientsExport(t))
	if res, _ := s.get(s.loggedIn(auth.Admin), preview); res.StatusCode != http.StatusNotFound {
		t.Errorf("another user's upload: %d, want 404", res.StatusCode)
	}
	if res, _ := s.get(c, "/imports/uploads/..%2F..%2Fetc%2Fpasswd"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a path for an upload id: %d, want 404", res.StatusCode)
	}
}

// Whatever a file holds is shown as text: a header or a cell with markup does not become markup.
func TestFileContentIsEscapedOnThePreview(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	preview := s.uploaded(c, "clients", "<b>x</b>.csv", []byte("id,name,<script>alert(1)</script>\nC-1,<img src=x onerror=alert(2)>,\n"))
	_, body := s.get(c, preview)
	for _, bad := range []string{"<script>alert(1)", "<img src=x", "<b>x</b>"} {
		if strings.Contains(body, bad) {
			t.Errorf("the preview has %s unescaped", bad)
		}
	}
	if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the header is not shown escaped")
	}
}

// Every field of every dataset has a label in both languages for the preview's selects.
func TestImportFieldsAndDatasetsAreTranslated(t *testing.T) {
	keys := []string{"imports.status_running", "imports.status_done", "imports.status_failed"}
	for _, d := range imports.Datasets {
		keys = append(keys, "dataset."+string(d))
		for _, f := range imports.Fields(d) {
			keys = append(keys, "field."+f.Name)
		}
	}
	for _, key := range keys {
		en, ru := operatorui.T("en", key), operatorui.T("ru", key)
		if strings.HasPrefix(en, "[") || strings.HasPrefix(ru, "[") || en == ru {
			t.Errorf("%s: en %q, ru %q", key, en, ru)
		}
	}
}

// Managers and administrators find Imports in the navigation; administrators find API tokens.
func TestNavigationOffersImportsAndTokens(t *testing.T) {
	s := newSite(t)
	for role, want := range map[auth.Role][2]bool{auth.Operator: {false, false}, auth.Manager: {true, false},
		auth.Supervisor: {false, false}, auth.Admin: {true, true}} {
		_, body := s.get(s.loggedIn(role), "/account")
		got := [2]bool{strings.Contains(body, `href="/imports" data-key="i"`), strings.Contains(body, `href="/admin/tokens" data-key="t"`)}
		if got != want {
			t.Errorf("%s: imports, tokens links shown %v, want %v", role, got, want)
		}
	}
}
