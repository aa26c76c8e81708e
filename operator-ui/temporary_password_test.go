package operatorui_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"dozvon/internal/auth"
)

// openWithATemporaryPassword are the only routes a user who must still change a temporary password may use.
var openWithATemporaryPassword = map[string]bool{
	"GET /account": true, "POST /account/password": true, "POST /account/locale": true, "POST /logout": true,
}

// A user who must still change a temporary password uses no route of the role table but its change, whichever
// role they have: every API (the console's, the simulator's on either messenger, /api/v1, the websocket) answers
// 403, every page sends them to /account. The walk covers routes added later, as the role table's test does.
func TestATemporaryPasswordOpensNoRouteButItsChange(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	for _, role := range auth.Roles {
		if err := s.Users.SetPassword(ctx, s.ids[role], testPassword, true); err != nil {
			t.Fatal(err)
		}
	}
	const refusal = `{"error":"change your temporary password first (/account)","code":"api.temporary_password","args":[]}` + "\n"
	for _, role := range auth.Roles {
		c := s.loggedIn(role)
		walked := 0
		for _, rt := range s.UI.Routes() {
			a := rt.Access
			if a.Public || a.Token || len(a.Roles) > 0 && !contains(a.Roles, role) || openWithATemporaryPassword[rt.Pattern] {
				continue
			}
			method, path, _ := strings.Cut(rt.Pattern, " ")
			path = pathParam.ReplaceAllString(strings.TrimSuffix(path, "{$}"), "999999")
			r, _ := http.NewRequest(method, s.URL+path+"?channel=max", strings.NewReader(`{"first_name":"Irina","text":"x"}`))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Sec-Fetch-Site", "same-origin")
			res, err := c.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			walked++
			switch {
			case a.API && (res.StatusCode != http.StatusForbidden || string(body) != refusal):
				t.Errorf("%s as %s: %d %s, want 403 %s", rt.Pattern, role, res.StatusCode, body, refusal)
			case !a.API && (res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account"):
				t.Errorf("%s as %s: %d to %q, want a redirect to /account", rt.Pattern, role, res.StatusCode, res.Header.Get("Location"))
			}
		}
		if walked < 10 {
			t.Errorf("%s: only %d routes walked", role, walked)
		}
		if res, _ := s.get(c, "/account"); res.StatusCode != http.StatusOK {
			t.Errorf("%s: the account page answers %d", role, res.StatusCode)
		}
	}
}

// The simulator runs without a public URL: neither messenger's webhook route takes a delivery, so nobody can post
// client messages to it (the fakes' tokens are in the source).
func TestNoWebhookRouteTakesADeliveryWithoutAPublicURL(t *testing.T) {
	s := newSite(t)
	for _, path := range []string{"/telegram/webhook", "/max/webhook"} {
		res, err := http.Post(s.URL+path, "application/json", strings.NewReader(`{"update_id": 1, "message": {"chat": {"id": 5},
			"from": {"id": 5}, "text": "/start inv_x"}}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, res.StatusCode)
		}
	}
}
