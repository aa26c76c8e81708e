package operatorui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dozvon/internal/auth"
)

// inputErr is how a refused value is answered as JSON.
type inputErr struct {
	Error string `json:"error"`
	Code  string `json:"code"`
	Field string `json:"field"`
}

// PostgreSQL refuses a NUL character in text. An operator's reply or note with one (pasted from a PDF, or sent
// on purpose) is refused before it reaches the dialog, as 422 naming the field in the operator's language —
// not a 500 — and nothing is stored.
func TestANULInAReplyOrANoteIsRefusedNamingTheField(t *testing.T) {
	d := newConsoleDesk(t)
	op := d.loggedIn(auth.Operator)
	c := d.chatWith("ООО Лютик")
	d.write(c, "Интересно")
	d.online(d.ids[auth.Operator])
	convID, _ := d.convOf(c)
	path := fmt.Sprintf("/console/api/dialogs/%d", convID)
	messages := func() (n int) {
		if err := d.Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM conversation_messages WHERE conversation_id = $1`, convID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := messages()
	for _, action := range []string{"/reply", "/note"} {
		code, raw := d.call(op, "POST", path+action, map[string]string{"text": "Счёт откроем\x00 завтра"})
		got := decode[inputErr](t, raw)
		if code != http.StatusUnprocessableEntity || got.Code != "input.nul" || got.Field != "text" ||
			got.Error != `The field "text" contains a NUL character (U+0000), which cannot be stored: remove it and send again.` {
			t.Errorf("%s with a NUL: %d %s", action, code, raw)
		}
	}
	if n := messages(); n != before {
		t.Errorf("%d messages stored from refused requests", n-before)
	}
	// In Russian for an operator who works in Russian.
	if err := d.Users.SetLocale(context.Background(), d.ids[auth.Operator], "ru"); err != nil {
		t.Fatal(err)
	}
	code, raw := d.call(op, "POST", path+"/reply", map[string]string{"text": "\x00"})
	if got := decode[inputErr](t, raw); code != http.StatusUnprocessableEntity ||
		got.Error != "Поле «text» содержит нулевой символ (U+0000), который нельзя сохранить: удалите его и отправьте снова." {
		t.Errorf("in Russian: %d %s", code, raw)
	}
	// The same reply without it goes.
	if code, raw := d.call(op, "POST", path+"/reply", map[string]string{"text": "Счёт откроем завтра"}); code != http.StatusCreated {
		t.Errorf("a clean reply: %d %s", code, raw)
	}
}

// A form is checked the same way: a script's title with a NUL, or with bytes that are not UTF-8, comes back as a
// page saying which field to correct, and no script is saved.
func TestAScriptTitleThatCannotBeStoredIsRefusedNamingTheField(t *testing.T) {
	s := newSupervisedSite(t)
	c := s.loggedIn(auth.Supervisor)
	for _, tc := range []struct{ body, want string }{
		{url.Values{"title": {"Тарифы\x00"}, "body": {"Тарифы от 0 ₽"}, "shortcut": {"/price"}}.Encode(),
			`The field &#34;title&#34; contains a NUL character (U&#43;0000), which cannot be stored: remove it and send again.`},
		{"title=%FF%FE&body=x&shortcut=%2Fprice", `The field &#34;title&#34; is not UTF-8 text: send it in UTF-8.`},
	} {
		r, _ := http.NewRequest(http.MethodPost, s.URL+"/scripts", strings.NewReader(tc.body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := c.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(page), tc.want) ||
			!strings.Contains(string(page), "This cannot be saved") {
			t.Errorf("%s: %d\n%s", tc.body, res.StatusCode, page)
		}
	}
	if list, err := s.svcScripts(); err != nil || len(list) != 0 {
		t.Fatalf("scripts after refused forms: %+v %v", list, err)
	}
}

// A bank system pushing a company name with a NUL hears which record and field, in English with a code, as the
// whole API answers; the push loads nothing. Systems that post JSON as a form (curl -d) are checked the same.
func TestAPIPushWithANULIsRefusedNamingTheRecordAndField(t *testing.T) {
	s := newSite(t)
	token, _ := s.issue("crm")
	body := `{"records": [{"external_id": "C-1", "inn": "7707083893", "company_name": "ООО Ромашка"},
		{"external_id": "C-2", "inn": "7707083893", "company_name": "ООО \u0000Лютик"}]}`
	for _, contentType := range []string{"application/json", "application/x-www-form-urlencoded"} {
		code, raw := s.push("/api/v1/clients", token, body, "Content-Type", contentType)
		got := decode[inputErr](t, raw)
		if code != http.StatusUnprocessableEntity || got.Code != "input.nul" || got.Field != "records[1].company_name" ||
			got.Error != `The field "records[1].company_name" contains a NUL character (U+0000), which cannot be stored: remove it and send again.` {
			t.Errorf("%s: %d %s", contentType, code, raw)
		}
	}
	var clients, jobs int
	err := s.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM clients), (SELECT count(*) FROM imports)`).Scan(&clients, &jobs)
	if err != nil || clients != 0 || jobs != 0 {
		t.Fatalf("%d clients and %d imports after a refused push (%v)", clients, jobs, err)
	}
}
