package operatorui_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"
	"golang.org/x/crypto/bcrypt"

	"dozvon/campaigns"
	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
	"dozvon/messenger/telegram"
	"dozvon/messenger/telegram/tgfake"
	operatorui "dozvon/operator-ui"
	"dozvon/reports"
)

func TestMain(m *testing.M) {
	if os.Getenv("DOZVON_HUB_BENCH_CLIENTS") != "" {
		hubBenchClients()
		os.Exit(0)
	}
	pgtest.Main(m)
}

const testPassword = "correct horse battery"

// site is a running UI on a fresh database with one user per role, and the Telegram simulator, as `dozvon serve`
// runs without a bot token (no bot answers in it, though: tests act as the bot through Sim when they need one).
type site struct {
	t         *testing.T
	URL       string
	Pool      *pgxpool.Pool
	Users     *auth.Store
	UI        *operatorui.UI
	Sim       *tgfake.Fake
	Contacts  *messenger.Contacts
	Campaigns *campaigns.Store
	Bot       messenger.Bot // the simulator's bot
	ids       map[auth.Role]int64
	stopHub   func()
}

// chat is the chat id on the simulator's bot, as the messenger reports it.
func (s *site) chat(id int64) messenger.Chat {
	return messenger.Chat{Address: messenger.Address{Channel: s.Bot.Channel, BotID: s.Bot.ID, ChatID: id}, UserID: id}
}

func newSite(t *testing.T) *site { return newSiteWith(t, func(*operatorui.Deps) {}) }

// newSiteWith lets a test change the wiring first, e.g. drop the simulator as a real bot token does.
func newSiteWith(t *testing.T, change func(*operatorui.Deps)) *site {
	t.Helper()
	pool := pgtest.NewDB(t)
	users := auth.NewStore(pool)
	users.Cost = bcrypt.MinCost
	camps := campaigns.NewStore(pool)
	camps.BotUsername = "dozvon_sim_bot"
	sim := tgfake.New(tgfake.Options{BotUsername: "dozvon_sim_bot", Flood: tgfake.FloodLimits{Disabled: true}})
	t.Cleanup(sim.Close)
	// As serve registers it; it adopts the placeholder bot of a fresh database, which the tests' own rows name.
	bot, err := telegram.RegisterBot(context.Background(), pool, tgfake.DefaultToken, "dozvon_sim_bot")
	if err != nil {
		t.Fatal(err)
	}
	d := operatorui.Deps{
		Log: zerolog.Nop(), Users: users, Reports: reports.New(pool),
		Sessions: auth.NewSessions(pool, 12*time.Hour, time.Hour, false),
		Ready:    pool.Ping, DefaultLocale: "en", Version: "test",
		Contacts: messenger.NewContacts(pool), Sim: sim, BotUsername: "dozvon_sim_bot", Bot: bot, Bots: messenger.NewBots(pool),
		Campaigns: camps, Outbox: messenger.NewOutbox(pool),
		Events: dialog.NewEvents(pool), Dialog: dialog.New(pool, zerolog.Nop()),
	}
	d.ImportsDB = pool            // imports load into the test's database
	d.MetricsToken = metricsToken // as Prometheus is set up in production
	change(&d)
	ui, err := operatorui.New(d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ui.Handler())
	t.Cleanup(srv.Close)
	s := &site{t: t, URL: srv.URL, Pool: pool, Users: users, UI: ui, Sim: d.Sim, Contacts: d.Contacts, Campaigns: d.Campaigns, Bot: bot, ids: map[auth.Role]int64{}}
	s.stopHub = runHub(t, ui) // as serve does
	for _, r := range auth.Roles {
		u, err := users.Create(context.Background(), auth.NewUser{Login: string(r) + "1", Role: r, Password: testPassword, Locale: "en"})
		if err != nil {
			t.Fatal(err)
		}
		s.ids[r] = u.ID
	}
	return s
}

// client returns an HTTP client that keeps cookies and does not follow redirects, so tests see them.
func (s *site) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (s *site) loggedIn(role auth.Role) *http.Client {
	s.t.Helper()
	c := s.client()
	res := s.post(c, "/login", url.Values{"login": {string(role) + "1"}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("login as %s: status %d", role, res.StatusCode)
	}
	return c
}

func (s *site) post(c *http.Client, path string, form url.Values) *http.Response {
	s.t.Helper()
	res, err := c.PostForm(s.URL+path, form)
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func (s *site) get(c *http.Client, path string) (*http.Response, string) {
	s.t.Helper()
	res, err := c.Get(s.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// Every route of the role table, for every role: allowed roles get through, the others get 403, and nobody
// gets in without logging in.
func TestRoleTableEveryRouteEveryRole(t *testing.T) {
	s := newSite(t)
	anon := s.client()
	for _, rt := range s.UI.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		path = pathParam.ReplaceAllString(strings.TrimSuffix(path, "{$}"), "999999")
		if strings.HasSuffix(path, "/") && path != "/" {
			path += "app.css"
		}
		req := func(c *http.Client) *http.Response {
			r, _ := http.NewRequest(method, s.URL+path, strings.NewReader(""))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := c.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		}
		if rt.Access.Token { // the bank's systems: an API token or nothing, whoever is logged in
			for _, c := range append([]*http.Client{anon}, s.loggedIn(auth.Admin), s.loggedIn(auth.Manager)) {
				if res := req(c); res.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s with a session or nothing but no token: status %d, want 401", rt.Pattern, res.StatusCode)
				}
			}
			continue
		}
		if !rt.Access.Public {
			res := req(anon)
			switch {
			case rt.Access.API && res.StatusCode != http.StatusUnauthorized:
				t.Errorf("%s anonymous: status %d, want 401", rt.Pattern, res.StatusCode)
			case !rt.Access.API && (res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login")):
				t.Errorf("%s anonymous: status %d to %q, want a redirect to /login", rt.Pattern, res.StatusCode, res.Header.Get("Location"))
			}
		}
		for _, role := range auth.Roles {
			res := req(s.loggedIn(role))
			allowed := rt.Access.Public || len(rt.Access.Roles) == 0 || contains(rt.Access.Roles, role)
			if allowed && (res.StatusCode == http.StatusForbidden || !rt.Access.Public && res.StatusCode == http.StatusUnauthorized) {
				t.Errorf("%s as %s: status %d, want allowed", rt.Pattern, role, res.StatusCode)
			}
			if !allowed && res.StatusCode != http.StatusForbidden {
				t.Errorf("%s as %s: status %d, want 403", rt.Pattern, role, res.StatusCode)
			}
		}
	}
}

func contains(roles []auth.Role, r auth.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

func TestEachRoleLandsOnItsOwnPage(t *testing.T) {
	s := newSite(t)
	want := map[auth.Role]string{auth.Operator: "/console", auth.Manager: "/campaigns", auth.Supervisor: "/live", auth.Admin: "/admin/users"}
	for role, path := range want {
		res, _ := s.get(s.loggedIn(role), "/")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
			t.Errorf("%s: / → %d %q, want %s", role, res.StatusCode, res.Header.Get("Location"), path)
		}
		res, body := s.get(s.loggedIn(role), path)
		if res.StatusCode != http.StatusOK || strings.Contains(body, "[") && regexp.MustCompile(`\[[a-z_]+\.[a-z_.]+\]`).MatchString(body) {
			t.Errorf("%s landing %s: status %d or an untranslated key", role, path, res.StatusCode)
		}
	}
}

func TestSessionEndsWhenItExpiresInTheDatabase(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Operator)
	if res, _ := s.get(c, "/console"); res.StatusCode != http.StatusOK {
		t.Fatalf("before expiry: %d", res.StatusCode)
	}
	if _, err := s.Pool.Exec(context.Background(), `UPDATE sessions SET expiry = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	res, _ := s.get(c, "/console")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Fconsole" {
		t.Fatalf("after expiry: %d %q, want a redirect to the login page", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestLogoutEndsTheSessionOnTheServer(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Supervisor)
	cookies := c.Jar.Cookies(mustURL(s.URL))
	if res := s.post(c, "/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	// Replaying the old cookie must not work: the session is gone from the database, not just from the browser.
	replay := s.client()
	replay.Jar.SetCookies(mustURL(s.URL), cookies)
	if res, _ := s.get(replay, "/live"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("old cookie after logout: %d, want redirect to login", res.StatusCode)
	}
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Admin)
	for name, hdr := range map[string][2]string{
		"browser says cross-site": {"Sec-Fetch-Site", "cross-site"},
		"foreign Origin":          {"Origin", "https://evil.example"},
	} {
		r, _ := http.NewRequest(http.MethodPost, s.URL+"/admin/users", strings.NewReader("login=mallory&role=admin&locale=en"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set(hdr[0], hdr[1])
		res, err := c.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, res.StatusCode)
		}
	}
	if _, err := s.Users.ByLogin(context.Background(), "mallory"); err != auth.ErrNotFound {
		t.Fatalf("a cross-origin request created a user: %v", err)
	}
	// The same form from the page itself works.
	r, _ := http.NewRequest(http.MethodPost, s.URL+"/admin/users", strings.NewReader("login=mallory&role=operator&locale=en"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.Do(r)
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin create: %v %v", res.StatusCode, err)
	}
}

// Five failures slow a login down by a second, not a quarter of an hour: the real user gets in once it passes.
func TestLoginIsThrottledAfterFiveFailures(t *testing.T) {
	clock := newTestClock()
	s := newSiteWith(t, func(d *operatorui.Deps) { d.Users.Now = clock.Now })
	c := s.client()
	for i := 0; i < auth.FreeFailures; i++ {
		if res := s.post(c, "/login", url.Values{"login": {"operator1"}, "password": {"wrong"}}); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d", i, res.StatusCode)
		}
	}
	res, err := c.PostForm(s.URL+"/login", url.Values{"login": {"operator1"}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "1" ||
		!strings.Contains(string(body), "Too many failed attempts. Try again in 1 s.") {
		t.Fatalf("sixth try: status %d Retry-After %q, want 429 and 1", res.StatusCode, res.Header.Get("Retry-After"))
	}
	clock.Advance(time.Second)
	if res := s.post(c, "/login", url.Values{"login": {"operator1"}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a second later: status %d, want 303", res.StatusCode)
	}
}

func TestLoginDoesNotRedirectOffSite(t *testing.T) {
	s := newSite(t)
	// A browser drops tabs and newlines from a URL and reads a backslash as a slash: each of these is another host.
	for _, next := range []string{"//evil.example/x", "https://evil.example", "/\\evil.example", "/\t/evil.example",
		"/\n/evil.example", "/\r\n/evil.example", "/\u0085/evil.example", "/\\/evil.example", "javascript:alert(1)"} {
		res := s.post(s.client(), "/login", url.Values{"login": {"manager1"}, "password": {testPassword}, "next": {next}})
		if loc := res.Header.Get("Location"); loc != "/campaigns" {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
	res := s.post(s.client(), "/login", url.Values{"login": {"manager1"}, "password": {testPassword}, "next": {"/account"}})
	if loc := res.Header.Get("Location"); loc != "/account" {
		t.Errorf("local next redirected to %q", loc)
	}
}

func TestTypedTextIsEscapedNotExecuted(t *testing.T) {
	s := newSite(t)
	c := s.client()
	payload := `"><script>alert(1)</script>`
	res, err := c.PostForm(s.URL+"/login", url.Values{"login": {payload}, "password": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(body), "<script>alert(1)") || !strings.Contains(string(body), "&lt;script&gt;") {
		t.Fatalf("login form reflected the payload unescaped")
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("CSP = %q", csp)
	}
}

func TestTemporaryPasswordMustBeChangedFirst(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	if err := s.Users.SetPassword(ctx, s.ids[auth.Operator], "temporary pass", true); err != nil {
		t.Fatal(err)
	}
	c := s.client()
	res := s.post(c, "/login", url.Values{"login": {"operator1"}, "password": {"temporary pass"}})
	if res.Header.Get("Location") != "/account" {
		t.Fatalf("login with a temporary password → %q", res.Header.Get("Location"))
	}
	if res, _ := s.get(c, "/console"); res.Header.Get("Location") != "/account" {
		t.Fatalf("console before changing → %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = s.post(c, "/account/password", url.Values{"current": {"temporary pass"}, "new": {"short"}, "confirm": {"short"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("short password accepted: %d", res.StatusCode)
	}
	res = s.post(c, "/account/password", url.Values{"current": {"temporary pass"}, "new": {"my own password"}, "confirm": {"my own password"}})
	if res.Header.Get("Location") != "/console" {
		t.Fatalf("after changing → %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := s.get(c, "/console"); res.StatusCode != http.StatusOK {
		t.Fatalf("console after changing: %d", res.StatusCode)
	}
}

func TestUserPicksTheirLanguage(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Operator)
	if _, body := s.get(c, "/console"); !strings.Contains(body, "Operator console") {
		t.Fatal("English page expected")
	}
	s.post(c, "/account/locale", url.Values{"locale": {"ru"}})
	if _, body := s.get(c, "/console"); !strings.Contains(body, "Консоль оператора") || !strings.Contains(body, `lang="ru"`) {
		t.Fatal("Russian page expected after switching")
	}
}

func TestHealthReadinessAndMetrics(t *testing.T) {
	s := newSite(t)
	c := s.client()
	if res, body := s.get(c, "/healthz"); res.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("healthz: %d %s", res.StatusCode, body)
	}
	if res, body := s.get(c, "/readyz"); res.StatusCode != 200 || !strings.Contains(body, `"ready"`) {
		t.Errorf("readyz: %d %s", res.StatusCode, body)
	}
	s.get(c, "/login")
	res, body := s.metrics(metricsToken)
	if res.StatusCode != 200 || !strings.Contains(body, `dozvon_http_requests_total{code="200",route="GET /login"} 1`) {
		t.Errorf("metrics lack the login page request:\n%s", firstLines(body, "dozvon_http_requests_total"))
	}
	if res.Header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
	s.stopHub()    // its event listener holds a connection, which Close would wait for
	s.Pool.Close() // the database goes away
	if res, _ := s.get(c, "/readyz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz without a database: %d", res.StatusCode)
	}
}

func firstLines(body, prefix string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Every key the templates use exists in the catalog in both languages.
func TestCatalogIsCompleteAndUsed(t *testing.T) {
	files, _ := os.ReadDir("templates")
	used := regexp.MustCompile(`t "([a-z_]+\.[a-z_0-9]+)"`)
	for _, f := range files {
		b, err := os.ReadFile("templates/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			for _, loc := range operatorui.Locales {
				if got := operatorui.T(loc, m[1]); strings.HasPrefix(got, "[") || got == "" {
					t.Errorf("%s: key %s has no %s text", f.Name(), m[1], loc)
				}
			}
		}
	}
	for _, key := range []string{"role.operator", "role.manager", "role.supervisor", "role.admin", "kind.missed_call", "kind.follow_up", "kind.acquiring"} {
		if operatorui.T("ru", key) == operatorui.T("en", key) {
			t.Errorf("%s is not translated", key)
		}
	}
}

func mustURL(s string) *url.URL {
	u, _ := url.Parse(s)
	return u
}
