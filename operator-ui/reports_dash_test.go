package operatorui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"dozvon/internal/auth"
)

var svgCharts = regexp.MustCompile(`(?s)<svg [^>]*class="chart".*?</svg>`)

// The dashboard draws its charts into the page (no script), each named for a screen reader, and a lead kind
// chosen in the filter narrows every panel and chart, stays chosen in the form, and goes with the export and the
// quick periods.
func TestDashboardFilterNarrowsChartsTablesAndExport(t *testing.T) {
	s := newSite(t)
	s.conversionWeek()
	c := s.loggedIn(auth.Supervisor)
	_, body := s.get(c, "/reports")
	charts := svgCharts.FindAllString(body, -1)
	if len(charts) != 10 {
		t.Fatalf("%d charts on the page, want 10", len(charts))
	}
	funnel := charts[0]
	for _, want := range []string{`aria-label="Funnel by lead kind: leads written to, replied, consented, converted"`,
		">Missed calls</text>", ">1,000</text>", ">100 · 10.0%</text>", ">4 · 22.2%</text>"} {
		if !strings.Contains(funnel, want) {
			t.Errorf("the funnel chart lacks %q", want)
		}
	}

	_, body = s.get(c, "/reports?kind=follow_up")
	row := kindRow.FindString(body)
	if got := cells(row); len(got) < 4 || got[0] != "0" {
		t.Errorf("missed calls under a follow-up filter: %q", got)
	}
	for _, want := range []string{`<option value="follow_up" selected>Follow-ups</option>`,
		`href="/reports.xlsx?from=`, `kind=follow_up`} {
		if !strings.Contains(body, want) {
			t.Errorf("the filtered page lacks %q", want)
		}
	}
	if strings.Contains(svgCharts.FindString(body), ">1,000</text>") {
		t.Error("the funnel chart still shows the missed calls written to")
	}
	for _, m := range regexp.MustCompile(`href="(/reports[^"]*)"`).FindAllStringSubmatch(body, -1) {
		// A row of the funnel by kind links to its own kind's dialogs; every other link keeps the filter.
		if strings.Contains(m[1], "from=") && !strings.Contains(m[1], "kind=") {
			t.Errorf("the link %s drops the filter", m[1])
		}
	}

	s.post(c, "/account/locale", url.Values{"locale": {"ru"}})
	_, body = s.get(c, "/reports")
	for _, svg := range svgCharts.FindAllString(body, -1) {
		text := regexp.MustCompile(`>([^<]+)<`).FindAllStringSubmatch(svg, -1)
		for _, m := range text {
			if regexp.MustCompile(`[a-z]+_[a-z]+|\[reports`).MatchString(m[1]) {
				t.Errorf("a raw code in a Russian chart: %q", m[1])
			}
		}
	}
	if !strings.Contains(body, `aria-label="Воронка по типам лидов: написали, ответили, согласились, конверсия"`) ||
		!strings.Contains(body, ">1\u202f000</text>") || !strings.Contains(body, ">100 · 10,0\u202f%</text>") {
		t.Error("the Russian funnel chart is not in Russian figures")
	}

	res, body := s.get(c, "/reports?kind=closed")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "несуществующий тип лида") ||
		strings.Contains(body, `class="chart"`) {
		t.Errorf("an unknown kind: %d, the message or charts wrong", res.StatusCode)
	}
	if res, _ := s.get(c, "/reports.xlsx?operator=x"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("an export with a bad operator: %d", res.StatusCode)
	}
}
