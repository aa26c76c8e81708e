package operatorui_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"dozvon/internal/auth"
)

// The administrator reads the audit log in words, filters it by who, what and when, pages through it and takes
// the same selection to Excel.
func TestAuditLogReadsInWordsIsFilteredPagedAndExported(t *testing.T) {
	s := newSite(t)
	ctx := t.Context()
	for i := range 120 {
		e := auth.Entry{Actor: "manager1", Action: "campaign.run", Object: fmt.Sprintf("Кампания %d", i)}
		if i%2 == 1 {
			e.Action = "campaign.pause"
		}
		if err := s.Users.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	admin := s.loggedIn(auth.Admin) // itself a login.ok by admin1
	_, body := s.get(admin, "/admin/audit")
	if n := strings.Count(body, `data-testid="audit-entry"`); n != 100 || testid(t, body, "audit-shown") != "1–100 of 121" {
		t.Fatalf("first page: %d entries, %q", n, testid(t, body, "audit-shown"))
	}
	if !strings.Contains(body, `<td data-testid="audit-action" title="login.ok">Signed in</td>`) ||
		!strings.Contains(body, `title="campaign.pause">Campaign paused</td>`) {
		t.Error("actions are not named in words")
	}
	if !strings.Contains(body, `href="/admin/audit?page=2"`) {
		t.Error("no second page")
	}
	_, body = s.get(admin, "/admin/audit?page=2")
	if n := strings.Count(body, `data-testid="audit-entry"`); n != 21 || !strings.Contains(body, "Кампания 0<") {
		t.Errorf("second page: %d entries", n)
	}

	_, body = s.get(admin, "/admin/audit?who=manager1&what=campaign.run")
	if testid(t, body, "audit-shown") != "1–60 of 60" || strings.Contains(body, "Campaign paused</td>") {
		t.Errorf("who and what: %q", testid(t, body, "audit-shown"))
	}
	_, body = s.get(admin, "/admin/audit?what=login.")
	if testid(t, body, "audit-shown") != "1–1 of 1" || testid(t, body, "audit-actor") != "admin1" {
		t.Errorf("a group of actions: %q", testid(t, body, "audit-shown"))
	}
	_, body = s.get(admin, "/admin/audit?from=2001-01-01&to=2001-12-31")
	if testid(t, body, "audit-shown") != "Nothing matches." {
		t.Errorf("a year long past: %q", testid(t, body, "audit-shown"))
	}

	s.setLocale(t, auth.Admin, "ru")
	_, body = s.get(admin, "/admin/audit?what=login.ok")
	if !strings.Contains(body, `title="login.ok">Вход в систему</td>`) || !strings.Contains(body, `>Входы — все</option>`) {
		t.Error("the Russian log is not in Russian words")
	}

	res, err := admin.Get(s.URL + "/admin/audit.xlsx?who=manager1&what=campaign.pause")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var raw bytes.Buffer
	_, _ = raw.ReadFrom(res.Body)
	wb, err := excelize.OpenReader(&raw)
	if res.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("export: %d %v", res.StatusCode, err)
	}
	rows, _ := wb.GetRows("Журнал аудита")
	if len(rows) != 61 || rows[0][0] != "Когда (МСК)" || rows[1][1] != "manager1" || rows[1][2] != "Кампания приостановлена" ||
		rows[1][3] != "campaign.pause" || rows[1][4] != "Кампания 119" {
		t.Errorf("export: %d rows, first %v %v", len(rows), rows[0], rows[1])
	}
	if last, err := s.Users.AuditLog(ctx, 1); err != nil || last[0].Action != "audit.export" || last[0].Actor != "admin1" {
		t.Errorf("the export is not in the log: %+v (%v)", last, err)
	}
}
