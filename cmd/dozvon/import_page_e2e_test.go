package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"dozvon/internal/browsertest"
)

// importPageRows is the size of the file the browser test uploads: enough rows for several batches, so that the
// page usually meets the import still running and follows its progress.
const importPageRows = 45000

// TestManagerImportsAFileInTheBrowser is a campaign manager's first import: added from the shell, they sign in,
// upload Russian Excel's export of clients, see it read as Windows-1251 with ';', its columns mapped and the one
// bad row marked, import it, watch the progress reach 100%, and read the bad row by line and field.
func TestManagerImportsAFileInTheBrowser(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data)
	add := dozvon(t, data, nil, "user", "add", "petrova", "manager", "Anna", "Petrova")
	if add.code != 0 {
		t.Fatalf("user add: exit %d\n%s", add.code, add.stderr)
	}
	temp := submatch(t, add.stdout, `user petrova \(manager\) created; temporary password: (\S+)`)
	file := writeClientsExport(t, data, importPageRows)

	page := browsertest.New(t)
	if status := page.Login(srv.URL, "petrova", temp); status != http.StatusOK || page.Path() != "/account" {
		t.Fatalf("manager login: status %d, on %s", status, page.Path())
	}
	const password = "Anna-own-pass-42"
	page.Fill(`input[name=current]`, temp)
	page.Fill(`input[name=new]`, password)
	page.Fill(`input[name=confirm]`, password)
	page.Submit(testid("save-password"))
	if page.Path() != "/campaigns" {
		t.Fatalf("after choosing a password the manager is on %s, want /campaigns", page.Path())
	}

	// Imports is in the navigation; the manager picks the dataset and the file.
	if status := page.Submit(`nav a[href="/imports"]`); status != http.StatusOK || page.Path() != "/imports" {
		t.Fatalf("imports page: status %d, on %s", status, page.Path())
	}
	page.Select(testid("u-dataset"), "clients")
	page.Upload(testid("u-file"), file)
	if status := page.Submit(testid("upload")); status != http.StatusOK || !strings.HasPrefix(page.Path(), "/imports/uploads/") {
		t.Fatalf("upload: status %d, on %s; %s", status, page.Path(), page.Text("main"))
	}

	// The preview: how the file was read, where each column goes, and the bad INN on line 3 marked.
	if got := page.Text(testid("preview-title")); got != "Preview: clients.csv" {
		t.Errorf("preview title %q", got)
	}
	if got := page.Text(testid("p-format")); got != "CSV" {
		t.Errorf("format %q, want CSV", got)
	}
	for sel, want := range map[string]string{
		testid("p-encoding"):  "detect (found: windows-1251)",
		testid("p-delimiter"): "detect (found: ; (semicolon))",
		testid("map-0"):       "ID in the bank's system (external_id) *",
		testid("map-1"):       "INN (inn)",
		testid("map-2"):       "Company name (company_name) *",
		testid("map-4"):       "Region (region)",
	} {
		if got := page.SelectedText(sel); got != want {
			t.Errorf("%s shows %q, want %q", sel, got, want)
		}
	}
	if got := page.Value(testid("map-3")); got != "phone" {
		t.Errorf("Телефон maps to %q, want phone", got)
	}
	if got := page.Text(`[data-line="3"] .cell-bad`); !strings.HasPrefix(got, "77071234\n") || !strings.Contains(got, "10 or 12 digits") {
		t.Errorf("the marked cell of line 3 reads %q, want the bad INN and its problem", got)
	}
	if n := page.Count(".cell-bad"); n != 1 {
		t.Errorf("%d cells marked, want 1", n)
	}
	if got := page.Text(`[data-line="3"] [data-testid=row-problems]`); got != `inn: "77071234" is not 10 or 12 digits` {
		t.Errorf("line 3's problem reads %q", got)
	}

	// Import: the page follows the import in the background to 100%, then shows the report.
	began := time.Now()
	if status := page.Submit(testid("import")); status != http.StatusOK || !regexp.MustCompile(`^/imports/jobs/\d+$`).MatchString(page.Path()) {
		t.Fatalf("import: status %d, on %s; %s", status, page.Path(), page.Text("main"))
	}
	jobPath := page.Path()
	t.Logf("the import's page first showed it as %q", page.Text(testid("job-status"))) // usually Running
	page.WaitText(testid("import-percent"), "100%")
	page.WaitText(testid("job-status"), "Done")
	t.Logf("%d rows imported in %s", importPageRows, time.Since(began).Round(time.Millisecond))
	for id, want := range map[string]string{
		"job-rows": fmt.Sprint(importPageRows), "job-inserted": fmt.Sprint(importPageRows - 1), "job-rejected": "1",
		"problem-line": "3", "problem-field": "inn", "problem-value": "77071234", "problem-reason": "is not 10 or 12 digits",
	} {
		if got := page.Text(testid(id)); got != want {
			t.Errorf("%s reads %q, want %q", id, got, want)
		}
	}
	if !page.Has(testid("problems-csv")) {
		t.Error("no link to download the problems as CSV")
	}

	// The history names the manager, the file and the counts.
	page.Open(srv.URL + "/imports")
	row := `[data-testid=import-row]:first-child `
	for id, want := range map[string]string{"import-who": "petrova", "import-file": "clients.csv",
		"import-inserted": fmt.Sprint(importPageRows - 1), "import-rejected": "1", "import-status": "Done"} {
		if got := page.Text(row + testid(id)); got != want {
			t.Errorf("history %s reads %q, want %q", id, got, want)
		}
	}
	if got := page.Text(row + `a[data-testid=import-link]`); got == "" || !page.Has(row+`a[href="`+jobPath+`"]`) {
		t.Errorf("the history row does not link to %s", jobPath)
	}
	stopCleanly(t, srv, data)
	checkLog(t, srv.Stderr(), temp, password)
}

// writeClientsExport writes rows clients as Russian Excel saves them — Windows-1251, ';', CRLF — with a bad INN
// on line 3, and returns the file's path.
func writeClientsExport(t *testing.T, dir string, rows int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("Код клиента;ИНН;Наименование;Телефон;Регион\r\n")
	b.WriteString("К-1;7707083893;ООО «Ромашка»;8 918 123-45-67;г. Москва\r\n")
	b.WriteString("К-2;77071234;ООО «Лютик»;+79181234568;Хабаровский край\r\n")
	for i := 3; i <= rows; i++ {
		fmt.Fprintf(&b, "К-%d;;ООО «Компания %d»;;Приморский край\r\n", i, i)
	}
	text, err := charmap.Windows1251.NewEncoder().String(b.String())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "clients.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
