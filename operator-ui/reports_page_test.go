package operatorui_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"dozvon/internal/auth"
)

// conversionWeek writes what a missed-call campaign left two days ago: 1,000 leads written to, 100 replied, 18
// consented and 4 opened an account — 10% and 18% as the reference, 22.2% of consents under its 25%.
func (s *site) conversionWeek() {
	s.t.Helper()
	ctx := context.Background()
	for _, q := range []string{`
		INSERT INTO campaigns (name, lead_kind, status) VALUES ('Недозвон: счёт за 1 день', 'missed_call', 'active')`, `
		WITH cl AS (
		    INSERT INTO clients (external_id, company_name) SELECT 'r' || g, 'ООО ' || g FROM generate_series(1, 1000) g
		    RETURNING id
		), ld AS (
		    INSERT INTO leads (client_id, kind) SELECT id, 'missed_call' FROM cl RETURNING id
		)
		INSERT INTO outbox (campaign_id, lead_id, channel, bot_id, chat_id, text, state, sent_at)
		SELECT (SELECT max(id) FROM campaigns), id, 'telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), id, 'Здравствуйте', 'sent', now() - interval '2 days' FROM ld`, `
		WITH ct AS (
		    INSERT INTO contacts (channel, bot_id, chat_id)
		    SELECT 'telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), 900000 + id FROM leads ORDER BY id LIMIT 100 RETURNING id, chat_id
		)
		INSERT INTO conversations (contact_id, channel, lead_id, status, closed_at)
		SELECT id, 'telegram', chat_id - 900000, 'closed', now() - interval '2 days' FROM ct`, `
		INSERT INTO outcomes (lead_id, kind) SELECT id, 'consent' FROM leads ORDER BY id LIMIT 18`, `
		INSERT INTO outcomes (lead_id, kind, source) SELECT id, 'account_opened', 'import' FROM leads ORDER BY id LIMIT 4`,
	} {
		if _, err := s.Pool.Exec(ctx, q); err != nil {
			s.t.Fatalf("%s: %v", q, err)
		}
	}
}

// The report is for those who plan outreach and run the team; an operator gets 403, for the file too, and sees
// no link to it.
func TestConversionReportIsForManagersSupervisorsAndAdmins(t *testing.T) {
	s := newSite(t)
	for _, role := range auth.Roles {
		c := s.loggedIn(role)
		want := http.StatusOK
		if role == auth.Operator {
			want = http.StatusForbidden
		}
		for _, p := range []string{"/reports", "/reports.xlsx"} {
			if res, _ := s.get(c, p); res.StatusCode != want {
				t.Errorf("%s as %s: %d, want %d", p, role, res.StatusCode, want)
			}
		}
		_, home := s.get(c, "/account")
		if link := strings.Contains(home, `href="/reports" data-key="f"`); link != (role != auth.Operator) {
			t.Errorf("%s: link to the report in the navigation %v", role, link)
		}
	}
}

var (
	kindRow   = regexp.MustCompile(`(?s)<tr data-testid="reports-kind" data-kind="missed_call">.*?</tr>`)
	cellsText = regexp.MustCompile(`(?s)<td class="num[^"]*"[^>]*>(.*?)</td>`)
	tags      = regexp.MustCompile(`<[^>]+>`)
	blanks    = regexp.MustCompile(`[ \t\n]+`) // not \s: Russian figures keep their narrow no-break spaces
)

// cells is the text of a table row's figures, one string per cell, tags removed.
func cells(row string) []string {
	var out []string
	for _, m := range cellsText.FindAllStringSubmatch(row, -1) {
		out = append(out, strings.TrimSpace(blanks.ReplaceAllString(tags.ReplaceAllString(m[1], " "), " ")))
	}
	return out
}

// The funnel's row for missed calls carries the counts and the shares on their bases, each with the reference
// beside it and a cue: reply and consent meet theirs, the conversion of consents is under. Russian writes the
// same figures its own way.
func TestConversionReportShowsTheFunnelAgainstTheReference(t *testing.T) {
	s := newSite(t)
	s.conversionWeek()
	c := s.loggedIn(auth.Supervisor)
	res, body := s.get(c, "/reports")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	row := kindRow.FindString(body)
	want := []string{"1,000", "100", "18", "4",
		"10.0% ref. 10.0% meets the reference", "18.0% ref. 18.0% meets the reference", "22.2% ref. 25.0% under the reference", "4.0%"}
	if got := cells(row); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("missed calls:\n%q\nwant\n%q", got, want)
	}
	if !strings.Contains(row, `data-cue="under"`) || strings.Count(row, `data-cue="meets"`) != 2 {
		t.Errorf("cues in %s", row)
	}
	if !strings.Contains(body, "Недозвон: счёт за 1 день") || !strings.Contains(body, `data-testid="reports-quick-14"`) ||
		!strings.Contains(body, `aria-current="true" data-testid="reports-quick-14"`) {
		t.Error("no campaign row or the 14-day default is not marked")
	}

	s.post(c, "/account/locale", url.Values{"locale": {"ru"}})
	_, body = s.get(c, "/reports")
	want = []string{"1\u202f000", "100", "18", "4",
		"10,0\u202f% эталон 10,0\u202f% эталон достигнут", "18,0\u202f% эталон 18,0\u202f% эталон достигнут",
		"22,2\u202f% эталон 25,0\u202f% ниже эталона", "4,0\u202f%"}
	if got := cells(kindRow.FindString(body)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("missed calls in Russian:\n%q\nwant\n%q", got, want)
	}
	if m := regexp.MustCompile(`\[[a-z_]+\.[a-z_.0-9]+\]`).FindString(body); m != "" || !strings.Contains(body, "Воронка по типам лидов") {
		t.Errorf("the Russian page: untranslated %q", m)
	}
}

// A period that cannot be read is explained on the page with the form kept, never a server error.
func TestConversionReportExplainsABadPeriod(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	for q, msg := range map[string]string{
		"from=2026-13-01&to=2026-11-20": "Dates must be days like",
		"from=2026-11-20":               "Dates must be days like",
		"from=2026-11-20&to=2026-11-01": "The period ends before it begins",
		"from=2020-01-01&to=2026-11-01": "longer than a year",
	} {
		res, body := s.get(c, "/reports?"+q)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, msg) || !strings.Contains(body, `data-testid="reports-period"`) ||
			strings.Contains(body, `data-testid="reports-kinds"`) {
			t.Errorf("%s: %d, want 400 with %q and the form only", q, res.StatusCode, msg)
		}
		if res, _ := s.get(c, "/reports.xlsx?"+q); res.StatusCode != http.StatusBadRequest {
			t.Errorf("export %s: %d, want 400", q, res.StatusCode)
		}
	}
}

// The export is the page's tables as a workbook: one sheet per table, the funnel's figures as numbers.
func TestConversionReportExportsToExcel(t *testing.T) {
	s := newSite(t)
	s.conversionWeek()
	res, err := s.loggedIn(auth.Manager).Get(s.URL + "/reports.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("status %d, disposition %q", res.StatusCode, res.Header.Get("Content-Disposition"))
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	wb, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(wb.GetSheetList()); got != "[Funnel by kind By campaign Operators Service by day QA Funnel by day Funnel by week SLA by hour Response time CSAT QA over time By messenger]" {
		t.Errorf("sheets %s", got)
	}
	// The week's leads were all written to on Telegram: MAX's row is there, with nothing.
	if rows, err := wb.GetRows("By messenger"); err != nil || len(rows) != 3 ||
		fmt.Sprintf("%q", rows[1]) != `["Telegram" "1000" "100" "18" "4" "10" "18" "22.2" "0" "" "0"]` ||
		fmt.Sprintf("%q", rows[2]) != `["MAX" "0" "0" "0" "0" "" "" "" "0" "" "0"]` {
		t.Errorf("the sheet by messenger: %q, %v", rows, err)
	}
	rows, err := wb.GetRows("Funnel by kind")
	if err != nil || len(rows) != 5 {
		t.Fatalf("funnel sheet: %q, %v", rows, err)
	}
	if got, want := fmt.Sprint(rows[1]), "[Missed calls 1000 100 18 4 10 18 22.2 4 10 18 25]"; got != want {
		t.Errorf("missed calls row %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(rows[4][:5]), "[Total 1000 100 18 4]"; got != want {
		t.Errorf("total row %s, want %s", got, want)
	}
	if v, _ := wb.GetCellValue("Funnel by kind", "B2"); v != "1000" {
		t.Errorf("written to: %q", v)
	}
	if typ, _ := wb.GetCellType("Funnel by kind", "H2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("the conversion share is not a number: %v", typ)
	}
	campaigns, _ := wb.GetRows("By campaign")
	if len(campaigns) != 2 || campaigns[1][0] != "Недозвон: счёт за 1 день" {
		t.Errorf("campaign sheet %q", campaigns)
	}
	// The trend's days: 14 of them, the leads written to two days ago on their day, with both conversion bases.
	days, _ := wb.GetRows("Funnel by day")
	var written []string
	for _, r := range days[1:] {
		if len(r) > 1 && r[1] != "0" {
			written = append(written, fmt.Sprint(r[1:9]))
		}
	}
	if len(days) != 15 || fmt.Sprint(written) != "[[1000 100 18 4 10 18 22.2 4]]" {
		t.Errorf("funnel by day: %d rows, written on %q", len(days), written)
	}
}

// qaWeek has anna close ten of the week's dialogs and a supervisor review them: eight score 100, one 95 and one
// 90 — an average of 98.5, above the bank's target of 97.
func (s *site) qaWeek() {
	s.t.Helper()
	s.conversionWeek()
	ctx := context.Background()
	for _, q := range []string{`
		INSERT INTO users (login, display_name, role, password_hash) VALUES
		    ('anna', 'Анна', 'operator', 'x'), ('olga', 'Ольга', 'supervisor', 'x')`, `
		UPDATE conversations SET operator_id = (SELECT id FROM users WHERE login = 'anna')
		WHERE id IN (SELECT id FROM conversations ORDER BY id LIMIT 10)`, `
		INSERT INTO qa_reviews (conversation_id, reviewer_id, score, answers, reviewed_at)
		SELECT id, (SELECT id FROM users WHERE login = 'olga'),
		       CASE row_number() OVER (ORDER BY id) WHEN 9 THEN 95 WHEN 10 THEN 90 ELSE 100 END, '{}', now()
		FROM conversations WHERE operator_id IS NOT NULL`,
	} {
		if _, err := s.Pool.Exec(ctx, q); err != nil {
			s.t.Fatalf("%s: %v", q, err)
		}
	}
}

var (
	annaRow   = regexp.MustCompile(`(?s)<tr data-testid="reports-operator"><td class="row-label">Анна</td>.*?</tr>`)
	qaTeamRow = regexp.MustCompile(`(?s)<tr data-testid="reports-qa-team">.*?</tr>`)
)

// The operators' table counts each operator's reviews and their average score against the target, and the
// team's QA stands beside the bank's target and the reference team's 99.8, on the page and in the export.
func TestConversionReportShowsQAAgainstTheTarget(t *testing.T) {
	s := newSite(t)
	s.qaWeek()
	c := s.loggedIn(auth.Supervisor)
	_, body := s.get(c, "/reports")
	if got := cells(annaRow.FindString(body)); len(got) < 2 || fmt.Sprint(got[len(got)-2:]) != "[10 98.5 meets the reference]" {
		t.Errorf("anna's QA cells %q", got)
	}
	if got := cells(qaTeamRow.FindString(body)); fmt.Sprint(got) != "[10 98.5 meets the reference]" {
		t.Errorf("team QA %q", got)
	}
	for _, want := range []string{"target 97.0", `data-testid="reports-qa-target">97.0<`, `data-testid="reports-qa-reference">99.8<`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page has no %q", want)
		}
	}
	if strings.Contains(body, `data-testid="reports-qa-none"`) {
		t.Error("the page says nothing was reviewed")
	}

	res, err := c.Get(s.URL + "/reports.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	wb, err := excelize.OpenReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	qa, _ := wb.GetRows("QA")
	if got, want := fmt.Sprint(qa), "[[ QA reviews QA score] [Team 10 98.5] [Target  97] [Reference team  99.8]]"; got != want {
		t.Errorf("QA sheet %s\nwant      %s", got, want)
	}
	ops, _ := wb.GetRows("Operators")
	found := false
	for _, row := range ops {
		if row[0] == "Анна" {
			found = true
			if fmt.Sprint(row[len(row)-2:]) != "[10 98.5]" {
				t.Errorf("anna's row %q", row)
			}
		}
	}
	if !found {
		t.Errorf("no row for anna in %q", ops)
	}
}
