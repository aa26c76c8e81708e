package operatorui_test

import (
	"bytes"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"dozvon/internal/auth"
)

var consentedLink = regexp.MustCompile(`data-kind="missed_call".*?data-testid="consented"><a href="([^"]+)">18</a>`)

// A figure of the report is a link to the dialogs behind it: the missed calls' 18 consents open a list of 18
// dialogs with the same period, each opening its dialog for a supervisor (and carrying the list along, for the
// next one); a manager reads the same list without links into the dialogs; the list exports to Excel, and a filter
// it does not know is a 400 with the reason.
func TestAFigureOfTheReportOpensTheDialogsBehindIt(t *testing.T) {
	s := newSite(t)
	s.conversionWeek()
	sup := s.loggedIn(auth.Supervisor)
	_, body := s.get(sup, "/reports")
	m := consentedLink.FindStringSubmatch(strings.ReplaceAll(body, "\n", " "))
	if m == nil {
		t.Fatal("the missed calls' consents are not a link")
	}
	link := html.UnescapeString(m[1])
	if !strings.HasPrefix(link, "/reports/dialogs?") || !strings.Contains(link, "by=written") ||
		!strings.Contains(link, "kind=missed_call") || !strings.Contains(link, "outcome=consent") {
		t.Fatalf("the consents' link %q", link)
	}
	res, list := s.get(sup, link)
	if res.StatusCode != http.StatusOK || !strings.Contains(list, "Dialogs: 18") ||
		strings.Count(list, `data-testid="dialogs-open"`) != 18 || !strings.Contains(list, `href="/live/dialogs/`) {
		t.Fatalf("the list: %d, want 18 dialogs each a link", res.StatusCode)
	}
	if strings.Contains(list, "[review.") || strings.Contains(list, "[live.") {
		t.Error("an untranslated key on the list")
	}
	_, forManager := s.get(s.loggedIn(auth.Manager), link)
	if !strings.Contains(forManager, "Dialogs: 18") || strings.Contains(forManager, `data-testid="dialogs-open"`) {
		t.Error("a manager's list: not the 18 dialogs, or links into dialogs they may not read")
	}
	if res, _ := s.get(s.loggedIn(auth.Operator), link); res.StatusCode != http.StatusForbidden {
		t.Errorf("an operator: %d, want 403", res.StatusCode)
	}

	res, err := sup.Get(s.URL + strings.Replace(link, "/reports/dialogs?", "/reports/dialogs.xlsx?", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	wb, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("the export is not a workbook: %v", err)
	}
	rows, _ := wb.GetRows(wb.GetSheetList()[0])
	if len(rows) != 19 || rows[0][0] != "Dialog" || rows[0][3] != "Lead kind" || rows[1][3] != "Missed calls" {
		t.Errorf("the export: %d rows (want a header and 18), first %v", len(rows), rows[:min(2, len(rows))])
	}
	if res, body := s.get(sup, "/reports/dialogs?csat=9"); res.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, "a filter it does not know") {
		t.Errorf("an unknown filter: %d", res.StatusCode)
	}
}
