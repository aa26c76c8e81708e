package operatorui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"dozvon/internal/auth"
)

// push posts a JSON body to the API as a bank's system does: a bearer token (none when token is ""), no cookies,
// no browser headers.
func (s *site) push(path, token, body string, header ...string) (int, string) {
	s.t.Helper()
	return s.system(http.MethodPost, path, token, body, header...)
}

// fetch GETs an API path as a bank's system does.
func (s *site) fetch(path, token string) (int, string) {
	s.t.Helper()
	return s.system(http.MethodGet, path, token, "")
}

func (s *site) system(method, path, token, body string, header ...string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, strings.TrimSpace(string(raw))
}

// issue issues an API token for a system; without scopes, for imports.
func (s *site) issue(name string, scopes ...string) (string, auth.Token) {
	s.t.Helper()
	if len(scopes) == 0 {
		scopes = []string{auth.ScopeImports}
	}
	secret, tok, err := s.Users.IssueToken(context.Background(), name, scopes, s.ids[auth.Admin])
	if err != nil {
		s.t.Fatal(err)
	}
	return secret, tok
}

// The bank's CRM pushes clients, then applications, with its token: good records load, and each bad one comes
// back by its index in "records" and its field, as the same checks as a file's find it — in English, and as a code
// with its arguments for a program to act on.
func TestSystemPushesRecordsAndHearsWhichWereRejected(t *testing.T) {
	s := newSite(t)
	secret, tok := s.issue("CRM")

	status, body := s.push("/api/v1/clients", secret, `{"records": [
		{"external_id": "C-1", "inn": 7707083893, "company_name": "ООО «Ромашка»", "phone": "8 918 123-45-67",
		 "attributes": {"score": 87}},
		{"external_id": "C-2", "inn": "77071234", "company_name": "ООО «Лютик»"},
		{"external_id": "C-3", "company_name": "ИП Орлов", "colour": "green"}
	]}`)
	want := `{"import_id":1,"dataset":"clients","dry_run":false,"records":3,"inserted":1,"updated":0,"unchanged":0,` +
		`"rejected_count":2,"rejected":[{"index":1,"field":"inn","value":"77071234","reason":"is not 10 or 12 digits","code":"imports.inn_digits"},` +
		`{"index":2,"field":"colour","value":"","reason":"is not a field of clients (external_id, inn, company_name, legal_form, contact_name, phone, email, okved, okved_extra, region, timezone, segment, attributes)",` +
		`"code":"imports.not_field","args":["clients","external_id, inn, company_name, legal_form, contact_name, phone, email, okved, okved_extra, region, timezone, segment, attributes"]}],` +
		`"problem_count":2}`
	if status != http.StatusOK || body != want {
		t.Errorf("clients: %d\n%s\nwant\n%s", status, body, want)
	}

	status, body = s.push("/api/v1/applications", secret, `{"records": [
		{"external_id": "A-1", "client_external_id": "C-1", "product": "РКО", "submitted_at": "2025-03-01T10:00:00+03:00"},
		{"external_id": "A-2", "client_external_id": "C-404", "product": "rko", "submitted_at": "2025-03-01"}
	]}`)
	want = `{"import_id":2,"dataset":"applications","dry_run":false,"records":2,"inserted":1,"updated":0,"unchanged":0,` +
		`"rejected_count":1,"rejected":[{"index":1,"field":"client_external_id","value":"C-404","reason":"is not a known client","code":"imports.unknown_client"}],` +
		`"problem_count":1}`
	if status != http.StatusOK || body != want {
		t.Errorf("applications: %d\n%s\nwant\n%s", status, body, want)
	}

	// A dry run checks and saves nothing.
	status, body = s.push("/api/v1/events?dry_run=true", secret, `{"records": [
		{"application_external_id": "A-1", "kind": "звонок", "result": "нет ответа", "occurred_at": "2025-03-02T11:00:00+03:00"}]}`)
	if status != http.StatusOK || !strings.Contains(body, `"dry_run":true,"records":1,"inserted":1,`) {
		t.Errorf("events dry run: %d %s", status, body)
	}
	var events int
	_ = s.Pool.QueryRow(context.Background(), `SELECT count(*) FROM application_events`).Scan(&events)
	if events != 0 {
		t.Errorf("a dry run saved %d events", events)
	}

	// The token's use is recorded, and the history and audit log name it.
	tokens, _ := s.Users.ListTokens(context.Background())
	if len(tokens) != 1 || tokens[0].ID != tok.ID || tokens[0].LastUsedAt == nil {
		t.Errorf("tokens after use: %+v", tokens)
	}
	_, page := s.get(s.loggedIn(auth.Manager), "/imports")
	if n := strings.Count(page, `<td data-testid="import-who">API: CRM</td>`); n != 3 {
		t.Errorf("the history shows %d imports by API: CRM, want 3", n)
	}
	if got := s.importAudit(t); got != "CRM import.events api" {
		t.Errorf("audit: %q", got)
	}
}

// Without a valid token there is no API, whatever else the request carries; a revoked token stops at once.
func TestAPIRefusesMissingWrongAndRevokedTokens(t *testing.T) {
	s := newSite(t)
	secret, tok := s.issue("CRM")
	const one = `{"records": [{"external_id": "C-1", "company_name": "ООО «Ромашка»"}]}`

	for name, token := range map[string]string{
		"no token":        "",
		"unknown token":   "dzv_" + strings.Repeat("A", 43),
		"not a token":     "hunter2",
		"a session token": "s3ss10n",
	} {
		status, body := s.push("/api/v1/clients", token, one)
		if status != http.StatusUnauthorized || !strings.HasPrefix(body, `{"error":`) {
			t.Errorf("%s: %d %s, want 401 with a JSON reason", name, status, body)
		}
	}
	// A logged-in administrator's session is not a token.
	admin := s.loggedIn(auth.Admin)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/clients", strings.NewReader(one))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := admin.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") != `Bearer realm="dozvon"` {
		t.Errorf("with a session but no token: %d %q, want 401 asking for a bearer token", res.StatusCode, res.Header.Get("WWW-Authenticate"))
	}

	if status, _ := s.push("/api/v1/clients", secret, one); status != http.StatusOK {
		t.Fatalf("the valid token: %d", status)
	}
	if err := s.Users.RevokeToken(context.Background(), tok.ID); err != nil {
		t.Fatal(err)
	}
	if status, body := s.push("/api/v1/clients", secret, one); status != http.StatusUnauthorized ||
		body != `{"error":"this API token is revoked","code":"api.token_revoked","args":[]}` {
		t.Errorf("the revoked token: %d %s", status, body)
	}
	if n := countClients(t, s); n != 1 {
		t.Errorf("%d clients, want only the one loaded with the valid token", n)
	}
}

// A body the API cannot use is refused with the reason, before anything is recorded.
func TestAPIExplainsMalformedAndOversizedBodies(t *testing.T) {
	s := newSite(t)
	secret, _ := s.issue("CRM")
	many := `{"records": [` + strings.TrimSuffix(strings.Repeat(`{"external_id": "C"},`, 10001), ",") + `]}`
	huge := `{"records": [{"external_id": "` + strings.Repeat("x", 10<<20) + `"}]}`
	for _, c := range []struct {
		name, body         string
		status             int
		reason, code, args string
	}{
		{"not JSON", `{"records": [{"external_id": "C-1",}]}`, 400, `malformed JSON at byte 36: invalid character '}' looking for beginning of object key string`,
			"api.malformed_json", `[36,"invalid character '}' looking for beginning of object key string"]`},
		{"cut short", `{"records": [{"external_id": "C-1"`, 400, `malformed JSON: the body ends too early`, "api.body_truncated", `[]`},
		{"empty body", ``, 400, `the body is empty; send {"records": [{...}, ...]}`, "api.body_empty", `[]`},
		{"a bare array", `[{"external_id": "C-1"}]`, 400, `the body must be an object, {"records": [{...}, ...]}, not a JSON array`,
			"api.body_not_object", `["array"]`},
		{"records not objects", `{"records": [1, 2]}`, 400, `"records" must be an array of objects; byte 14 has a number`,
			"api.records_not_array", `[14,"number"]`},
		{"unknown key", `{"rows": []}`, 400, `malformed request: json: unknown field "rows"; send {"records": [{...}, ...]}`,
			"api.malformed", `["json: unknown field \"rows\""]`},
		{"no records", `{"records": []}`, 400, `"records" is missing or empty; send {"records": [{...}, ...]}`, "api.records_empty", `[]`},
		{"two objects", `{"records": [{"external_id": "C-1"}]} {}`, 400, `malformed request: unexpected data after the JSON object; send {"records": [{...}, ...]}`,
			"api.malformed", `["unexpected data after the JSON object"]`},
		{"too many records", many, 413, `10001 records; send at most 10000 a request`, "api.too_many_records", `[10001,10000]`},
		{"too big", huge, 413, `the body is larger than 10 MiB; send at most 10000 records a request`, "api.body_too_large", `[10,10000]`},
	} {
		status, body := s.push("/api/v1/clients", secret, c.body)
		if got := refusalOf(t, body); status != c.status || got.Error != c.reason || got.Code != c.code || got.Args != c.args {
			t.Errorf("%s: %d %s\nwant %d %q %s %s", c.name, status, body, c.status, c.reason, c.code, c.args)
		}
	}
	if n := countClients(t, s); n != 0 {
		t.Errorf("refused bodies loaded %d clients", n)
	}
}

// Systems call the API from their servers, which send no Origin or Sec-Fetch-Site: the cross-origin protection
// lets them through without an exemption. A page of another site calling it from a browser is still refused.
func TestAPIFromAServerPassesTheCrossOriginCheckAndFromAnotherSiteDoesNot(t *testing.T) {
	s := newSite(t)
	secret, _ := s.issue("CRM")
	const one = `{"records": [{"external_id": "C-1", "company_name": "ООО «Ромашка»"}]}`
	if status, body := s.push("/api/v1/clients", secret, one); status != http.StatusOK {
		t.Errorf("server to server: %d %s", status, body)
	}
	if status, _ := s.push("/api/v1/clients", secret, one, "Sec-Fetch-Site", "cross-site"); status != http.StatusForbidden {
		t.Errorf("from another site's page: %d, want 403", status)
	}
	if status, _ := s.push("/api/v1/clients", secret, one, "Origin", "https://evil.example"); status != http.StatusForbidden {
		t.Errorf("with another site's Origin: %d, want 403", status)
	}
}

// An administrator issues a token on the page, sees the secret once, sees it used, and revokes it; every step is
// in the audit log, and the secret is not.
func TestAdministratorIssuesAndRevokesATokenOnThePage(t *testing.T) {
	s := newSite(t)
	admin := s.loggedIn(auth.Admin)

	res, body := s.postPage(admin, "/admin/tokens", url.Values{"name": {"  "}, "scope": {"imports"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(errorOf(body), "Name the token after the system") {
		t.Errorf("a blank name: %d %q", res.StatusCode, errorOf(body))
	}
	res, body = s.postPage(admin, "/admin/tokens", url.Values{"name": {"CRM"}})
	if res.StatusCode != http.StatusUnprocessableEntity || errorOf(body) != "Choose at least one thing the token may do." ||
		!strings.Contains(body, `value="CRM"`) {
		t.Errorf("no scope ticked: %d %q", res.StatusCode, errorOf(body))
	}

	if res := s.post(admin, "/admin/tokens", url.Values{"name": {"CRM <leads>"}, "scope": {"imports"}}); res.StatusCode != http.StatusSeeOther ||
		res.Header.Get("Location") != "/admin/tokens" {
		t.Fatalf("issue: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = s.get(admin, "/admin/tokens")
	flash := testid(t, body, "flash")
	m := regexp.MustCompile(`^Token “CRM &lt;leads&gt;” issued\. Copy it now — it is shown only once: (dzv_[A-Za-z0-9_-]{43})$`).FindStringSubmatch(flash)
	if m == nil {
		t.Fatalf("flash %q does not show the token once", flash)
	}
	secret := m[1]
	if testid(t, body, "token-label") != "CRM &lt;leads&gt;" || testid(t, body, "token-status") != "Active" ||
		testid(t, body, "token-scopes") != "push clients, applications and events" ||
		!strings.Contains(body, `<td data-testid="token-last-used"><span class="muted">never</span></td>`) {
		t.Errorf("the list does not show the new token as active and never used")
	}
	if _, again := s.get(admin, "/admin/tokens"); strings.Contains(again, secret) {
		t.Error("the secret is shown a second time")
	}

	if status, _ := s.push("/api/v1/clients", secret, `{"records": [{"external_id": "C-1", "company_name": "ООО"}]}`); status != http.StatusOK {
		t.Fatalf("the issued token: %d", status)
	}
	_, body = s.get(admin, "/admin/tokens")
	if strings.Contains(body, `<td data-testid="token-last-used"><span class="muted">never</span>`) {
		t.Error("the token's use is not shown")
	}
	id := regexp.MustCompile(`data-token="(\d+)"`).FindStringSubmatch(body)[1]

	if res := s.post(admin, "/admin/tokens/"+id+"/revoke", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	_, body = s.get(admin, "/admin/tokens")
	if got := testid(t, body, "flash"); got != "Token “CRM &lt;leads&gt;” revoked." {
		t.Errorf("flash after revoking: %q", got)
	}
	if got := testid(t, body, "token-status"); !strings.HasPrefix(got, "Revoked ") || strings.Contains(body, `data-testid="revoke-token"`) {
		t.Errorf("status %q after revoking, or still revocable", got)
	}
	if status, _ := s.push("/api/v1/clients", secret, `{"records": [{"external_id": "C-2", "company_name": "ООО"}]}`); status != http.StatusUnauthorized {
		t.Errorf("the revoked token: %d, want 401", status)
	}
	if res := s.post(admin, "/admin/tokens/999999/revoke", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("revoking a token that does not exist: %d, want 404", res.StatusCode)
	}

	entries, _ := s.Users.AuditLog(context.Background(), 20)
	var got []string
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if strings.HasPrefix(e.Action, "token.") {
			got = append(got, e.Actor+" "+e.Action+" "+e.Object)
		}
		if strings.Contains(fmt.Sprint(e), secret) {
			t.Errorf("the audit log holds the secret: %+v", e)
		}
	}
	if want := []string{"admin1 token.issue CRM <leads>", "admin1 token.revoke CRM <leads>"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("audit %q, want %q", got, want)
	}
}
