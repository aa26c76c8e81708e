package operatorui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"dozvon/internal/auth"
)

// refusal is an API's answer to a request it refused, with its arguments as the JSON they were sent as.
type refusal struct {
	Error, Code, Args string
}

func refusalOf(t *testing.T, body string) refusal {
	t.Helper()
	var v struct {
		Error string          `json:"error"`
		Code  string          `json:"code"`
		Args  json.RawMessage `json:"args"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Errorf("not a JSON refusal: %s", body)
	}
	return refusal{v.Error, v.Code, string(v.Args)}
}

// The API refuses with a code and its arguments from the catalog, for a program, and the message, for a person:
// in English for a bank system's token, which has no user, and in the user's own language for a session.
func TestAPIRefusalsCarryTheirCodeAndSpeakTheCallersLanguage(t *testing.T) {
	s := newSite(t)
	imports, _ := s.issue("CRM") // may push records, not read callback tasks

	for _, c := range []struct {
		what, method, path, token string
		status                    int
		want                      refusal
	}{
		{"no token", "POST", "/api/v1/clients", "", http.StatusUnauthorized,
			refusal{"an API token is required: Authorization: Bearer dzv_...", "api.token_required", `[]`}},
		{"a token without the scope", "GET", "/api/v1/callbacks", imports, http.StatusForbidden,
			refusal{`this API token may not do this: it needs the "callbacks" scope, which an administrator grants when issuing a token`,
				"api.token_scope", `["callbacks"]`}},
		{"no such callback task", "POST", "/api/v1/callbacks/41/done", mustIssue(s, auth.ScopeCallbacks), http.StatusNotFound,
			refusal{"no open callback task 41", "api.no_callback", `["41"]`}},
		{"no session", "GET", "/api/v1/me", "", http.StatusUnauthorized, refusal{"login required", "api.login_required", `[]`}},
	} {
		status, body := s.system(c.method, c.path, c.token, "")
		if got := refusalOf(t, body); status != c.status || got != c.want {
			t.Errorf("%s: %d %+v\nwant %d %+v", c.what, status, got, c.status, c.want)
		}
	}

	// An operator who reads Russian, and a colleague who reads English, call an address there is not.
	ctx := context.Background()
	if err := s.Users.SetLocale(ctx, s.ids[auth.Operator], "ru"); err != nil {
		t.Fatal(err)
	}
	for role, want := range map[auth.Role]refusal{
		auth.Operator:   {"такого адреса нет", "api.no_endpoint", `[]`},
		auth.Supervisor: {"no such endpoint", "api.no_endpoint", `[]`},
	} {
		status, body := s.call(s.loggedIn(role), "GET", "/api/v1/nope", nil)
		if got := refusalOf(t, body); status != http.StatusNotFound || got != want {
			t.Errorf("%s: %d %+v, want 404 %+v", role, status, got, want)
		}
	}
	// The same operator with a temporary password is told, in Russian, to change it first.
	if err := s.Users.SetPassword(ctx, s.ids[auth.Operator], "temporary pass", true); err != nil {
		t.Fatal(err)
	}
	c := s.client()
	s.post(c, "/login", url.Values{"login": {"operator1"}, "password": {"temporary pass"}})
	status, body := s.call(c, "GET", "/api/v1/me", nil)
	if got, want := refusalOf(t, body), (refusal{"сначала смените временный пароль (/account)", "api.temporary_password", `[]`}); status != http.StatusForbidden || got != want {
		t.Errorf("a temporary password: %d %+v, want 403 %+v", status, got, want)
	}
}

func mustIssue(s *site, scope string) string {
	secret, _ := s.issue("dialer", scope)
	return secret
}
