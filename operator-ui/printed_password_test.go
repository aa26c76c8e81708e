package operatorui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
)

// demoMember adds a user as the demo's seed adds its team: a password printed in the log of the start that seeded
// it, not a temporary one.
func (s *site) demoMember(login string, role auth.Role, locale string) int64 {
	s.t.Helper()
	u, err := s.Users.Create(context.Background(), auth.NewUser{Login: login, Role: role, Password: testPassword,
		Locale: locale, PasswordPrinted: true})
	if err != nil {
		s.t.Fatal(err)
	}
	return u.ID
}

// loginWith signs in with a password of the test's choosing and returns where the login sent the user.
func (s *site) loginWith(login, password string) (*http.Client, string) {
	s.t.Helper()
	c := s.client()
	res := s.post(c, "/login", url.Values{"login": {login}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("login as %s: status %d", login, res.StatusCode)
	}
	return c, res.Header.Get("Location")
}

var printedNotice = regexp.MustCompile(`(?s)<div class="alert warn" role="status" data-testid="password-printed">(.*?)</div>`)

// printedPasswordNotice is the notice a page shows, its text with the link's address, or "" when it shows none.
func printedPasswordNotice(body string) string {
	m := printedNotice.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	text := regexp.MustCompile(`<a href="([^"]+)"[^>]*>`).ReplaceAllString(m[1], "[$1] ")
	return strings.Join(strings.Fields(strings.ReplaceAll(text, "</a>", "")), " ")
}

// The demo team's password was printed when the demo was set up. Every page of a team member asks them, in
// their language, to change it, and links to the password change; nothing is blocked. The notice goes with the
// printed password: after the member's own change, or after an administrator's reset. An ordinary user never
// sees it.
func TestEveryPageAsksTheDemoTeamToChangeThePrintedPassword(t *testing.T) {
	s := newSite(t)
	const (
		ru = "Ваш пароль был напечатан при установке демо: войти под вашим именем может любой, кто видел этот журнал. " +
			"[/account#password] Смените пароль"
		en = "Your password was printed when the demo was set up: anyone who saw that log can sign in as you. " +
			"[/account#password] Change your password"
	)
	demoID := s.demoMember("manager", auth.Manager, "ru")
	c, landing := s.loginWith("manager", testPassword)
	if landing != "/campaigns" {
		t.Fatalf("the demo's manager lands on %q; a printed password blocks nothing", landing)
	}
	pages := []string{"/campaigns", "/imports", "/reports", "/account"}
	for _, path := range pages {
		res, body := s.get(c, path)
		if got := printedPasswordNotice(body); res.StatusCode != http.StatusOK || got != ru {
			t.Errorf("GET %s: %d, notice %q; want 200 and %q", path, res.StatusCode, got, ru)
		}
	}
	if _, body := s.get(c, "/account"); !strings.Contains(body, `<section class="card" id="password">`) {
		t.Error("the account page has no #password for the notice's link to reach")
	}
	s.post(c, "/account/locale", url.Values{"locale": {"en"}})
	if _, body := s.get(c, "/campaigns"); printedPasswordNotice(body) != en {
		t.Errorf("in English the notice reads %q; want %q", printedPasswordNotice(body), en)
	}
	// Signing out and in again, or an administrator's change of the role and name, leaves the password printed.
	admin := s.loggedIn(auth.Admin)
	if res := s.post(admin, "/admin/users/"+strconv.FormatInt(demoID, 10), url.Values{"role": {"manager"},
		"display_name": {"Ольга Морозова"}, "active": {"on"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the administrator's edit: %d", res.StatusCode)
	}
	s.post(c, "/logout", nil)
	c, _ = s.loginWith("manager", testPassword)
	if _, body := s.get(c, "/campaigns"); printedPasswordNotice(body) != en {
		t.Errorf("after signing in again and an edit, the notice reads %q; want it still", printedPasswordNotice(body))
	}

	if res := s.post(c, "/account/password", url.Values{"current": {testPassword}, "new": {"my own password"},
		"confirm": {"my own password"}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
		t.Fatalf("change: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	for _, path := range pages {
		if _, body := s.get(c, path); printedPasswordNotice(body) != "" {
			t.Errorf("GET %s after the change still shows %q", path, printedPasswordNotice(body))
		}
	}

	// Another member: the administrator resets the password; the new one is temporary, shown once to the
	// administrator, and printed nowhere.
	opID := s.demoMember("operator2", auth.Operator, "en")
	op, _ := s.loginWith("operator2", testPassword)
	if _, body := s.get(op, "/console"); printedPasswordNotice(body) != en {
		t.Fatalf("the operator's console shows %q; want %q", printedPasswordNotice(body), en)
	}
	if res := s.post(admin, "/admin/users/"+strconv.FormatInt(opID, 10)+"/password", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	_, body := s.get(admin, "/admin/users")
	op, landing = s.loginWith("operator2", testid(t, body, "temp-password-value"))
	if landing != "/account" {
		t.Fatalf("after the reset the operator lands on %q; want the password change", landing)
	}
	if _, body := s.get(op, "/account"); printedPasswordNotice(body) != "" || !strings.Contains(body, `data-testid="must-change"`) {
		t.Errorf("after the reset: notice %q, temporary password asked for = %v; want no notice, asked",
			printedPasswordNotice(body), strings.Contains(body, `data-testid="must-change"`))
	}

	// The site's own users were added by an administrator: no page of theirs shows the notice.
	for _, role := range auth.Roles {
		c := s.loggedIn(role)
		if _, body := s.get(c, "/account"); strings.Contains(body, "password-printed") {
			t.Errorf("%s1, an ordinary user, is shown the notice", role)
		}
	}
}

// In a real Chromium: the demo's operator follows the notice's link to the account page's password form, sets a
// password of their own there, and the notice is gone from every page.
func TestTheDemoOperatorFollowsTheNoticeAndChangesThePassword(t *testing.T) {
	s := newSite(t)
	s.demoMember("operator2", auth.Operator, "ru")
	page := browsertest.New(t)
	if status := page.Login(s.URL, "operator2", testPassword); status != http.StatusOK || page.Path() != "/console" {
		t.Fatalf("login: %d on %s", status, page.Path())
	}
	if got := page.Text(testidSel("password-printed-change")); got != "Смените пароль" {
		t.Fatalf("the console's notice links %q", got)
	}
	if status := page.Submit(testidSel("password-printed-change")); status != http.StatusOK ||
		page.Path() != "/account" || page.URL().Fragment != "password" {
		t.Fatalf("the notice's link: %d, %s", status, page.URL())
	}
	page.Fill(`#password input[name=current]`, testPassword)
	page.Fill(`#password input[name=new]`, "my own password")
	page.Fill(`#password input[name=confirm]`, "my own password")
	if status := page.Submit(testidSel("save-password")); status != http.StatusOK {
		t.Fatalf("change: %d", status)
	}
	if got := page.Text(testidSel("flash")); got != "Пароль изменён." {
		t.Errorf("after the change the page says %q", got)
	}
	for _, path := range []string{"/account", "/console"} {
		if path != "/account" {
			page.Open(s.URL + path)
		}
		if page.Has(testidSel("password-printed")) {
			t.Errorf("%s still asks to change the password", path)
		}
	}
}
