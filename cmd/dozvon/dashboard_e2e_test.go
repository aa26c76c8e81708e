package main

import (
	"net/http"
	"os"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"

	"dozvon/internal/browsertest"
)

// chartFigures is what a chart shows: its bars' values and its texts, read in the browser.
type chartFigures struct {
	Title  string    `json:"title"`
	Values []float64 `json:"values"`
	Texts  []string  `json:"texts"`
}

func readChart(t *testing.T, page *browsertest.Page, id string) chartFigures {
	t.Helper()
	got, err := chromedp.Run(page.Ctx, chromedp.Evaluate[chartFigures](`(() => {
		const svg = document.querySelector('svg[data-chart="`+id+`"]');
		if (!svg) return {values: [], texts: []};
		return {title: svg.querySelector('title').textContent, values: [...svg.querySelectorAll('rect.bar')].map(r => +r.dataset.value),
		        texts: [...svg.querySelectorAll('text')].map(t => t.textContent)};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func sum(vs []float64) float64 {
	var s float64
	for _, v := range vs {
		s += v
	}
	return s
}

// TestSupervisorFiltersTheDashboardByLeadKindAndPeriod: on a 1366 px screen a supervisor opens the demo's
// dashboard in Russian, sees the charts in Russian words and figures (no stored code), then picks follow-ups and
// a shorter period: the funnel chart and table keep only follow-ups, the trend has fewer days, and nothing on the
// page is wider than the screen (the operators' table fits without scrolling).
func TestSupervisorFiltersTheDashboardByLeadKindAndPeriod(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data, "DOZVON_DEMO=true")

	page := browsertest.New(t)
	if _, err := chromedp.Run(page.Ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatal(err)
	}
	if status := page.Login(srv.URL, "supervisor", srv.DemoPassword); status != http.StatusOK {
		t.Fatalf("supervisor login: status %d", status)
	}
	page.Open(srv.URL + "/reports")
	page.Submit(testid("reports-quick-30"))

	all := readChart(t, page, "chart-funnel-kinds")
	if len(all.Values) != 12 || all.Values[0] == 0 || all.Values[4] == 0 || all.Values[8] == 0 {
		t.Fatalf("the funnel chart's bars (kind by kind, four steps each): %v", all.Values)
	}
	rawCode := regexp.MustCompile(`[a-z]+_[a-z]+|\[[a-z]+\.`)
	for _, id := range []string{"chart-funnel-kinds", "chart-funnel-campaigns", "chart-trend-days", "chart-trend-weeks",
		"chart-sla-hours", "chart-sla-operators", "chart-responses", "chart-csat", "chart-qa"} {
		c := readChart(t, page, id)
		if len(c.Texts) == 0 {
			t.Errorf("no chart %s on the page", id)
		}
		for _, text := range c.Texts {
			if rawCode.MatchString(text) {
				t.Errorf("%s shows a raw code: %q", id, text)
			}
		}
	}
	if all.Title != "Воронка по типам лидов: написали, ответили, согласились, конверсия" {
		t.Errorf("the funnel chart's title: %q", all.Title)
	}
	assertNoOverflow(t, page)
	screenshots(t, page, "chart-funnel-kinds", "chart-trend-days", "reports-operators", "chart-sla-hours", "chart-csat", "chart-qa")
	daysBefore := len(readChart(t, page, "chart-trend-days").Values)

	// Follow-ups over the last 14 days: the dates set as the calendar sets them.
	page.Select(testid("reports-filter-kind"), "follow_up")
	if _, err := chromedp.Run(page.Ctx, chromedp.Evaluate[bool](`(() => {
		const q = new URL(document.querySelector('[data-testid=reports-quick-14]').href).searchParams;
		document.querySelector('[data-testid=reports-from]').value = q.get('from');
		document.querySelector('[data-testid=reports-to]').value = q.get('to');
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	if status := page.Submit(testid("reports-show")); status != http.StatusOK {
		t.Fatalf("the filtered dashboard: status %d", status)
	}
	if q := page.URL().Query(); q.Get("kind") != "follow_up" {
		t.Fatalf("the form sent %v", q)
	}
	follow := readChart(t, page, "chart-funnel-kinds")
	if len(follow.Values) != 12 || sum(follow.Values[0:4]) != 0 || sum(follow.Values[8:12]) != 0 || follow.Values[4] == 0 {
		t.Errorf("with follow-ups chosen the funnel chart is %v: only follow-ups may have bars", follow.Values)
	}
	if follow.Values[4] > all.Values[4] {
		t.Errorf("14 days wrote to %v follow-ups, 30 days to %v", follow.Values[4], all.Values[4])
	}
	if w := page.Text(`[data-testid=reports-kind][data-kind=missed_call] [data-testid=written]`); w != "0" {
		t.Errorf("missed calls written to under the follow-up filter: %q", w)
	}
	if got := page.SelectedText(testid("reports-filter-kind")); got != "Фоллоу-апы" {
		t.Errorf("the kind filter shows %q", got)
	}
	if days := len(readChart(t, page, "chart-trend-days").Values); days != 14*4 || days >= daysBefore {
		t.Errorf("the trend by day has %d bars (was %d), want 14 days of 4 steps", days, daysBefore)
	}
	assertNoOverflow(t, page)
}

// screenshots saves the page scrolled to each element (by data-testid) when DOZVON_SCREENSHOTS is set.
func screenshots(t *testing.T, page *browsertest.Page, ids ...string) {
	t.Helper()
	if os.Getenv("DOZVON_SCREENSHOTS") == "" {
		return
	}
	for _, id := range ids {
		if _, err := chromedp.Run(page.Ctx, chromedp.Evaluate[bool](`(() => { document.querySelector('[data-testid=`+id+`]').scrollIntoView(); return true; })()`)); err != nil {
			t.Fatal(err)
		}
		if path, err := page.Screenshot(id); err == nil {
			t.Logf("screenshot: %s", path)
		}
	}
}

// assertNoOverflow fails when the page, or any table in it, is wider than the 1366 px screen it is shown on.
func assertNoOverflow(t *testing.T, page *browsertest.Page) {
	t.Helper()
	wide, err := chromedp.Run(page.Ctx, chromedp.Evaluate[[]string](`(() => {
		const out = [];
		if (document.documentElement.scrollWidth > document.documentElement.clientWidth)
			out.push('page ' + document.documentElement.scrollWidth);
		for (const w of document.querySelectorAll('.table-wrap, .chart-box'))
			if (w.offsetParent !== null && w.scrollWidth > w.clientWidth + 1)
				out.push((w.querySelector('[data-testid]')?.dataset.testid || w.dataset.testid || w.className) + ' ' + w.scrollWidth + '>' + w.clientWidth);
		return out;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if len(wide) > 0 {
		t.Errorf("wider than a 1366 px screen: %v", wide)
	}
}
