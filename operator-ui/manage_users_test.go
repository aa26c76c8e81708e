package operatorui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"dozvon/internal/auth"
)

// A new user's temporary password stands on its own, with a copy button, once; it signs them in. The users
// table has one cell per column, and languages are named, not coded.
func TestNewUsersPasswordIsShownOnceApartWithACopyButton(t *testing.T) {
	s := newSite(t)
	admin := s.loggedIn(auth.Admin)
	_, body := s.get(admin, "/admin/users")
	if !strings.Contains(body, `<option value="ru">Русский</option>`) || !strings.Contains(body, `<option value="en" selected>English</option>`) {
		t.Error("the language select shows codes")
	}
	if strings.Contains(body, `colspan="3"`) {
		t.Error("a row's form still spans three columns")
	}
	res := s.post(admin, "/admin/users", url.Values{"login": {"sidorova"}, "display_name": {"Анна Сидорова"}, "role": {"operator"}, "locale": {"ru"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	_, body = s.get(admin, "/admin/users")
	if testid(t, body, "flash") != "User sidorova created." {
		t.Errorf("flash %q", testid(t, body, "flash"))
	}
	password := testid(t, body, "temp-password-value")
	if !regexp.MustCompile(`data-copy="`+regexp.QuoteMeta(password)+`"`).MatchString(body) || len(password) < 10 {
		t.Errorf("the password %q has no copy button", password)
	}
	if _, body = s.get(admin, "/admin/users"); strings.Contains(body, password) {
		t.Error("the temporary password is shown twice")
	}
	c := s.client()
	if res := s.post(c, "/login", url.Values{"login": {"sidorova"}, "password": {password}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
		t.Errorf("sign in with the shown password: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// moscowZone is the installation's default zone, the one pages and files show times in for the test users.
func moscowZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// A user in Vladivostok picks their zone once: every page then shows times on their clock, the zone named.
func TestAUsersOwnTimeZoneIsWhereEveryPageShowsTimes(t *testing.T) {
	s := newSite(t)
	admin := s.loggedIn(auth.Admin)
	_, body := s.get(admin, "/admin/users")
	if !strings.Contains(body, " MSK</td>") {
		t.Error("last logins are not in Moscow time, the installation's, named")
	}
	if res := s.post(admin, "/account/timezone", url.Values{"timezone": {"Asia/Vladivostok"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set the zone: %d", res.StatusCode)
	}
	_, body = s.get(admin, "/admin/users")
	if !strings.Contains(body, " UTC&#43;10</td>") || strings.Contains(body, " MSK</td>") { // html/template writes + as &#43;
		t.Error("last logins are not in Vladivostok time after the user chose it")
	}
	_, body = s.get(admin, "/account")
	if !strings.Contains(body, `<option value="Asia/Vladivostok" selected>Vladivostok (UTC&#43;10)</option>`) {
		t.Error("the account page does not show the chosen zone")
	}
	if res, body := s.postPage(admin, "/account/timezone", url.Values{"timezone": {"Mars/Olympus"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		errorOf(body) != "Choose a time zone from the list." {
		t.Errorf("a zone that is none: %d %q", res.StatusCode, errorOf(body))
	}
}
