package operatorui_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dozvon/internal/auth"
	operatorui "dozvon/operator-ui"
)

// testClock is a clock a test moves, for the login throttle's delays.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Now().Truncate(time.Second)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// A user with a temporary password reaches nothing but the password change and logout: pages send them to
// /account, the console's, the simulator's and the user API answer 403, the websocket too.
func TestTemporaryPasswordOpensNoAPI(t *testing.T) {
	s := newSite(t)
	if err := s.Users.SetPassword(context.Background(), s.ids[auth.Operator], "temporary pass", true); err != nil {
		t.Fatal(err)
	}
	c := s.client()
	if res := s.post(c, "/login", url.Values{"login": {"operator1"}, "password": {"temporary pass"}}); res.Header.Get("Location") != "/account" {
		t.Fatalf("login → %q", res.Header.Get("Location"))
	}
	for _, call := range []struct{ method, path string }{
		{"GET", "/console/api/state"}, {"POST", "/console/api/take-next"}, {"GET", "/sim/api/clients"},
		{"POST", "/sim/api/clients"}, {"GET", "/api/v1/me"},
	} {
		status, body := s.call(c, call.method, call.path, map[string]string{"first_name": "Irina"})
		if status != http.StatusForbidden ||
			body != `{"error":"change your temporary password first (/account)","code":"api.temporary_password","args":[]}`+"\n" {
			t.Errorf("%s %s: %d %s, want 403", call.method, call.path, status, body)
		}
	}
	if _, res, err := dialWS(s.URL, c, fromNow, nil); err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("websocket: %v, want 403", err)
	}
	for _, path := range []string{"/console", "/sim", "/"} {
		if res, _ := s.get(c, path); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
			t.Errorf("GET %s: %d → %q, want /account", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if res, _ := s.get(c, "/account"); res.StatusCode != http.StatusOK {
		t.Errorf("the account page: %d", res.StatusCode)
	}
	if res := s.post(c, "/account/password", url.Values{"current": {"temporary pass"}, "new": {"my own password"},
		"confirm": {"my own password"}}); res.Header.Get("Location") != "/console" {
		t.Fatalf("change → %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if status, body := s.call(c, "GET", "/console/api/state", nil); status != http.StatusOK {
		t.Errorf("console API after the change: %d %s", status, body)
	}
}

// Changing one's own password keeps the session it was changed from and ends every other; an administrator's
// reset ends all of the user's sessions.
func TestPasswordChangesEndOtherSessions(t *testing.T) {
	s := newSite(t)
	office, home := s.loggedIn(auth.Operator), s.loggedIn(auth.Operator)
	colleague := s.loggedIn(auth.Manager)
	if res := s.post(office, "/account/password", url.Values{"current": {testPassword}, "new": {"my own password"},
		"confirm": {"my own password"}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
		t.Fatalf("change: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	signedIn := func(name string, c *http.Client, want bool) {
		t.Helper()
		status, _ := s.call(c, "GET", "/api/v1/me", nil)
		if got := status == http.StatusOK; got != want {
			t.Errorf("%s: /api/v1/me %d, want signed in = %v", name, status, want)
		}
	}
	signedIn("the session that changed the password", office, true)
	signedIn("the operator's other session", home, false)
	signedIn("a colleague", colleague, true)

	admin := s.loggedIn(auth.Admin)
	if res := s.post(admin, "/admin/users/"+strconv.FormatInt(s.ids[auth.Operator], 10)+"/password", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	signedIn("the operator after the administrator's reset", office, false)
	signedIn("the administrator", admin, true)

	// An administrator who resets their own password stays in, to read it, and must change it next.
	if res := s.post(admin, "/admin/users/"+strconv.FormatInt(s.ids[auth.Admin], 10)+"/password", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("own reset: %d", res.StatusCode)
	}
	res, body := s.get(admin, "/admin/users")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
		t.Fatalf("after the own reset: %d %q %s", res.StatusCode, res.Header.Get("Location"), body)
	}
	if _, body := s.get(admin, "/account"); !strings.Contains(body, "Temporary password for admin1, shown once") ||
		!strings.Contains(body, `data-testid="copy-password"`) {
		t.Error("the account page does not show the administrator their new password")
	}
}

func TestWeakPasswordsAreRefusedInTheUsersLanguage(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Operator)
	for _, tc := range []struct{ locale, password, want string }{
		{"en", "          ", "The password is only spaces."},
		{"en", "7777777777", "The password is one character repeated; choose one that is hard to guess."},
		{"en", " Operator1 ", "The password must not be your login."},
		{"ru", "qwertyuiop", "Этот пароль из тех, что подбирают первыми; выберите другой."},
	} {
		s.post(c, "/account/locale", url.Values{"locale": {tc.locale}})
		res, err := c.PostForm(s.URL+"/account/password", url.Values{"current": {testPassword}, "new": {tc.password}, "confirm": {tc.password}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), tc.want) {
			t.Errorf("%q (%s): %d, want 422 saying %q", tc.password, tc.locale, res.StatusCode, tc.want)
		}
	}
}

// Guessing the current password on the account page is slowed down as guessing at the login page is.
func TestWrongCurrentPasswordsAreThrottled(t *testing.T) {
	clock := newTestClock()
	s := newSiteWith(t, func(d *operatorui.Deps) { d.Users.Now = clock.Now })
	c := s.loggedIn(auth.Operator)
	change := func(current string) *http.Response {
		return s.post(c, "/account/password", url.Values{"current": {current}, "new": {"my own password"}, "confirm": {"my own password"}})
	}
	for i := 0; i < auth.FreeFailures; i++ {
		if res := change("a guess"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d: %d", i, res.StatusCode)
		}
	}
	if res := change(testPassword); res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "1" {
		t.Fatalf("right away: %d Retry-After %q, want 429 and 1", res.StatusCode, res.Header.Get("Retry-After"))
	}
	clock.Advance(time.Second)
	if res := change(testPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a second later: %d", res.StatusCode)
	}
}
