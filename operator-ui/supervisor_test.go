package operatorui_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/messenger"
	operatorui "dozvon/operator-ui"
)

// supervised is a site with the dialog service wired in, as serve runs it.
type supervised struct {
	*site
	svc *dialog.Service
}

func newSupervisedSite(t *testing.T) *supervised {
	t.Helper()
	var svc *dialog.Service
	s := newSiteWith(t, func(d *operatorui.Deps) {
		svc = dialog.New(d.ImportsDB, zerolog.Nop()) // ImportsDB is the test's database
		d.Dialog = svc
	})
	return &supervised{site: s, svc: svc}
}

var nextUpdate atomic.Int64

// chat is a client of the bank whose Telegram chat is linked to a missed-call lead; it returns the chat id.
func (s *supervised) chat(company, contactName, phone string) int64 {
	s.t.Helper()
	chatID := 5000 + nextUpdate.Add(1)
	var id int64
	err := s.Pool.QueryRow(context.Background(), `
		WITH cl AS (
		    INSERT INTO clients (external_id, company_name, contact_name, phone, timezone)
		    VALUES ($1, $2, $3, nullif($4, ''), 'Europe/Moscow') RETURNING id
		), l AS (
		    INSERT INTO leads (client_id, kind, status) SELECT id, 'missed_call', 'offered' FROM cl RETURNING id
		), ct AS (
		    INSERT INTO contacts (channel, bot_id, chat_id, user_id, first_name, linked_via)
		    VALUES ('telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), $5, $5, 'Ирина', 'deep_link')
		    RETURNING id
		)
		INSERT INTO contact_leads (contact_id, lead_id, via) SELECT ct.id, l.id, 'deep_link' FROM ct, l
		RETURNING contact_id`, fmt.Sprint("ext-", chatID), company, contactName, phone, chatID).Scan(&id)
	if err != nil {
		s.t.Fatal(err)
	}
	return chatID
}

// write is the client writing to the bot; it returns the conversation.
func (s *supervised) write(chatID int64, text string) int64 {
	s.t.Helper()
	ctx := context.Background()
	err := s.svc.HandleInbound(ctx, messenger.Inbound{InboxID: 9000 + nextUpdate.Add(1),
		Chat: s.site.chat(chatID), Text: text, At: time.Now()})
	if err != nil {
		s.t.Fatal(err)
	}
	var conv int64
	if err := s.Pool.QueryRow(ctx, `SELECT c.id FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
		WHERE ct.chat_id = $1 AND c.status <> 'closed'`, chatID).Scan(&conv); err != nil {
		s.t.Fatal(err)
	}
	return conv
}

func (s *supervised) statusOf(conv int64) (status string, operator *int64, queue string) {
	s.t.Helper()
	err := s.Pool.QueryRow(context.Background(), `SELECT c.status, c.operator_id, coalesce(q.name, '')
		FROM conversations c LEFT JOIN queues q ON q.id = c.queue_id WHERE c.id = $1`, conv).Scan(&status, &operator, &queue)
	if err != nil {
		s.t.Fatal(err)
	}
	return
}

func TestSupervisorToolsAreClosedToOperatorsAndManagers(t *testing.T) {
	s := newSupervisedSite(t)
	conv := s.write(s.chat("ООО Ромашка", "", ""), "Здравствуйте")
	paths := []string{"/live", "/live/api/snapshot", fmt.Sprintf("/live/dialogs/%d", conv), "/scripts", "/scripts/new",
		"/callbacks"}
	for _, role := range []auth.Role{auth.Operator, auth.Manager} {
		c := s.loggedIn(role)
		for _, p := range paths {
			if res, _ := s.get(c, p); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s as %s: %d, want 403", p, role, res.StatusCode)
			}
		}
		res := s.post(c, fmt.Sprintf("/live/dialogs/%d/reassign", conv), url.Values{"to": {"queue:1"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("reassign as %s: %d, want 403", role, res.StatusCode)
		}
		if res := s.post(c, "/callbacks.csv", nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("callbacks.csv as %s: %d, want 403", role, res.StatusCode)
		}
	}
	if status, _, queue := s.statusOf(conv); status != "waiting" || queue != "missed_call" {
		t.Fatalf("a refused reassign moved the dialog: %s in %s", status, queue)
	}
	for _, role := range []auth.Role{auth.Supervisor, auth.Admin} {
		c := s.loggedIn(role)
		for _, p := range paths {
			if res, body := s.get(c, p); res.StatusCode != http.StatusOK || strings.Contains(body, "[live.") {
				t.Errorf("%s as %s: %d or an untranslated key", p, role, res.StatusCode)
			}
		}
	}
}

// The board's JSON says what waits where, since when, and who is there; the page starts the event stream where
// its figures were read.
func TestTheLiveSnapshotShowsTheQueueTheWaitAndTheTeam(t *testing.T) {
	s := newSupervisedSite(t)
	c := s.loggedIn(auth.Supervisor)
	before := time.Now()
	s.write(s.chat("ООО Ромашка", "", ""), "Здравствуйте")
	res, body := s.get(c, "/live/api/snapshot")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("snapshot: %d %s", res.StatusCode, body)
	}
	var v struct {
		Now     int64 `json:"now"`
		Waiting int   `json:"waiting"`
		Online  int   `json:"online"`
		Queues  []struct {
			Label    string `json:"label"`
			Waiting  int    `json:"waiting"`
			OldestMS int64  `json:"oldest_ms"`
			TargetMS int64  `json:"target_ms"`
		} `json:"queues"`
		Operators []struct {
			Name        string `json:"name"`
			Status      string `json:"status"`
			StatusLabel string `json:"status_label"`
			LoadText    string `json:"load_text"`
		} `json:"operators"`
		Alerts []json.RawMessage `json:"alerts"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	if v.Waiting != 1 || v.Online != 0 || len(v.Queues) != 4 || v.Queues[0].Label != "Missed calls" ||
		v.Queues[0].Waiting != 1 || v.Queues[0].OldestMS < before.Add(-time.Second).UnixMilli() ||
		v.Queues[0].OldestMS > v.Now || v.Queues[0].TargetMS != 60000 || v.Queues[1].Waiting != 0 || len(v.Alerts) != 0 {
		t.Fatalf("snapshot = %s", body)
	}
	if len(v.Operators) != 1 || v.Operators[0].Name != "operator1" || v.Operators[0].Status != "offline" ||
		v.Operators[0].StatusLabel != "Offline" || v.Operators[0].LoadText != "0 of 5" {
		t.Fatalf("operators = %+v", v.Operators)
	}

	var last int64
	if err := s.Pool.QueryRow(context.Background(), `SELECT max(id) FROM events`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	_, page := s.get(c, "/live")
	for _, want := range []string{fmt.Sprintf(`data-last-event="%d"`, last), `data-testid="live-queue-waiting">1<`,
		`/static/live_page.js`, "Waiting too long"} {
		if !strings.Contains(page, want) {
			t.Errorf("the live page lacks %s", want)
		}
	}
}

// A supervisor reads any dialog — the client's text shown as text, a broadcast's Telegram HTML as safe
// formatting — and moves it, with every mistake explained on the page.
func TestSupervisorReadsAndReassignsADialog(t *testing.T) {
	s := newSupervisedSite(t)
	ctx := context.Background()
	const xss = `<img src=x onerror=alert(1)><script>alert(2)</script>`
	conv := s.write(s.chat(`ООО "Ромашка" <b>`, "", ""), xss)
	if _, err := s.Pool.Exec(ctx, `INSERT INTO conversation_messages (conversation_id, direction, text, payload)
		VALUES ($1, 'out', '<b>Акция</b> для вас <a href="javascript:alert(3)">тут</a>', '{"format": "html"}')`, conv); err != nil {
		t.Fatal(err)
	}
	sup := s.loggedIn(auth.Supervisor)
	path := fmt.Sprintf("/live/dialogs/%d", conv)
	res, body := s.get(sup, path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", path, res.StatusCode)
	}
	for _, bad := range []string{"<img src=x", "<script>alert(2)", "javascript:", `"Ромашка" <b>`} {
		if strings.Contains(body, bad) {
			t.Errorf("the page carries %q unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;", "<strong>Акция</strong>",
		"&lt;b&gt;", "Waiting in a queue", `data-testid="reassign-to"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, `name="text"`) || strings.Contains(body, "/reply") {
		t.Error("the read-only page has a reply box")
	}

	reassign := func(to, note string) (int, string) {
		t.Helper()
		res, err := sup.PostForm(s.URL+path+"/reassign", url.Values{"to": {to}, "note": {note}})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	op := s.ids[auth.Operator]
	for _, c := range []struct{ to, note, want string }{
		{"", "", "Choose an operator or a queue."},
		{"operator:abc", "", "Choose an operator or a queue."},
		{fmt.Sprint("operator:", op), "", "That operator is offline."},
		{"queue:999999", "", "There is no such queue."},
		{"queue:1", strings.Repeat("я", 2001), "The note is too long"},
	} {
		status, body := reassign(c.to, c.note)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("reassign to %q: %d, want 422 with %q", c.to, status, c.want)
		}
	}
	if status, _, queue := s.statusOf(conv); status != "waiting" || queue != "missed_call" {
		t.Fatalf("a refused reassign moved the dialog: %s in %s", status, queue)
	}

	// The operator comes online and gets it; the supervisor sends it to the general queue with a note.
	if err := s.svc.SetPresence(ctx, op, dialog.Online); err != nil {
		t.Fatal(err)
	}
	if status, who, _ := s.statusOf(conv); status != "assigned" || who == nil || *who != op {
		t.Fatalf("after the operator came online: %s, %v", status, who)
	}
	var general int64
	if err := s.Pool.QueryRow(ctx, `SELECT id FROM queues WHERE name = 'general'`).Scan(&general); err != nil {
		t.Fatal(err)
	}
	res, err := sup.PostForm(s.URL+path+"/reassign", url.Values{"to": {fmt.Sprint("queue:", general)},
		"note": {"Клиент спрашивает про эквайринг"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
		t.Fatalf("reassign: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if status, who, queue := s.statusOf(conv); status != "waiting" || who != nil || queue != "general" {
		t.Fatalf("after reassigning: %s, %v, %s", status, who, queue)
	}
	_, body = s.get(sup, path)
	if !strings.Contains(body, "Клиент спрашивает про эквайринг") || !strings.Contains(body, fmt.Sprintf("Dialog #%d reassigned.", conv)) {
		t.Error("the page does not show the note or the confirmation")
	}
	// And back to the operator, by name: a supervisor may hand it to whoever passed it on.
	if status, _ := reassign(fmt.Sprint("operator:", op), ""); status != http.StatusSeeOther {
		t.Errorf("reassign to the operator: %d", status)
	}
	if _, body := s.get(sup, path); !strings.Contains(body, "With an operator") || !strings.Contains(body, `data-testid="dialog-operator">operator1<`) {
		t.Error("the page does not show the dialog with operator1")
	}
	if status, who, _ := s.statusOf(conv); status != "assigned" || who == nil || *who != op {
		t.Fatalf("after reassigning to the operator: %s, %v", status, who)
	}
	if res, _ := s.get(sup, "/live/dialogs/999999"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown dialog: %d, want 404", res.StatusCode)
	}
}

func TestSupervisorManagesScripts(t *testing.T) {
	s := newSupervisedSite(t)
	c := s.loggedIn(auth.Supervisor)
	send := func(path string, form url.Values) (int, string, string) {
		t.Helper()
		res, err := c.PostForm(s.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Location"), string(b)
	}
	status, _, body := send("/scripts", url.Values{"title": {"Тарифы"}, "body": {"{{.Company}}, ваш тариф: {{.Tariff}}"},
		"shortcut": {"/price"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Unknown variable {{.Tariff}}") ||
		!strings.Contains(body, "ваш тариф: {{.Tariff}}</textarea>") {
		t.Fatalf("an unknown variable: %d\n%s", status, body)
	}
	status, loc, _ := send("/scripts", url.Values{"title": {"Тарифы"}, "body": {"{{.Company}}, тарифы от 0 ₽"},
		"shortcut": {"/price"}, "lead_kind": {"acquiring"}})
	if status != http.StatusSeeOther || loc != "/scripts" {
		t.Fatalf("create: %d to %q", status, loc)
	}
	list, err := s.svcScripts()
	if err != nil || len(list) != 1 || list[0].Shortcut != "price" || list[0].LeadKind != "acquiring" {
		t.Fatalf("scripts = %+v, %v", list, err)
	}
	id := list[0].ID
	_, page := s.get(c, "/scripts")
	if !strings.Contains(page, "Script “Тарифы” saved.") || !strings.Contains(page, "/price") ||
		!strings.Contains(page, "Acquiring cross-sell") {
		t.Error("the list does not show the new script")
	}
	status, _, body = send("/scripts", url.Values{"title": {"Другой"}, "body": {"текст"}, "shortcut": {"price"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "/price is already another script") {
		t.Errorf("a taken shortcut: %d", status)
	}
	status, _, body = send(fmt.Sprintf("/scripts/%d", id), url.Values{"title": {""}, "body": {"текст"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "A title of 1–120 characters is required.") {
		t.Errorf("an empty title: %d", status)
	}
	status, _, _ = send(fmt.Sprintf("/scripts/%d", id), url.Values{"title": {"Тарифы 2026"}, "body": {"Тарифы для {{.Company}}"}})
	if status != http.StatusSeeOther {
		t.Fatalf("update: %d", status)
	}
	if list, _ := s.svcScripts(); len(list) != 1 || list[0].Title != "Тарифы 2026" || list[0].Shortcut != "" || list[0].LeadKind != "" {
		t.Fatalf("after the update: %+v", list)
	}
	if res, body := s.get(c, fmt.Sprintf("/scripts/%d", id)); res.StatusCode != http.StatusOK || !strings.Contains(body, "Тарифы для {{.Company}}") {
		t.Errorf("the edit form: %d", res.StatusCode)
	}
	if status, loc, _ := send(fmt.Sprintf("/scripts/%d/delete", id), nil); status != http.StatusSeeOther || loc != "/scripts" {
		t.Fatalf("delete: %d %q", status, loc)
	}
	if list, _ := s.svcScripts(); len(list) != 0 {
		t.Fatalf("after deleting: %+v", list)
	}
	if res, _ := s.get(c, fmt.Sprintf("/scripts/%d", id)); res.StatusCode != http.StatusNotFound {
		t.Errorf("a deleted script's page: %d, want 404", res.StatusCode)
	}
}

func (s *supervised) svcScripts() ([]dialog.Script, error) {
	return s.svc.Scripts(context.Background(), "")
}

// The callback file opens in Russian Excel as it is and runs nothing: a BOM, ';', quotes doubled, and a cell
// that looks like a formula made text.
func TestCallbackTasksDownloadAsSafeCSV(t *testing.T) {
	s := newSupervisedSite(t)
	ctx := context.Background()
	op := s.ids[auth.Operator]
	if err := s.svc.SetPresence(ctx, op, dialog.Online); err != nil {
		t.Fatal(err)
	}
	conv := s.write(s.chat(`ООО "Рога; и копыта"`, `=HYPERLINK("http://evil","x")`, "+79181234567"), "Позвоните завтра")
	due := time.Now().Add(26 * time.Hour).Truncate(time.Minute)
	if _, err := s.svc.RecordOutcome(ctx, conv, op, dialog.Outcome{Kind: dialog.OutcomeCallback, DueAt: due,
		Reason: "@после обеда"}); err != nil {
		t.Fatal(err)
	}
	c := s.loggedIn(auth.Supervisor)
	if _, snap := s.get(c, "/live/api/snapshot"); !strings.Contains(snap, `"callbacks":1,`) {
		t.Errorf("the board does not count the open callback: %s", snap)
	}
	res, body := s.download(c, "/callbacks.csv", "same-origin")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	if !strings.HasPrefix(body, "\ufefftask_id;company;inn;contact_name;phone;due_at;") {
		t.Fatalf("no BOM or header: %q", body[:min(len(body), 60)])
	}
	if !strings.Contains(body, `;"ООО ""Рога; и копыта""";`) {
		t.Errorf("the company is not quoted:\n%s", body)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("%d rows, %v\n%s", len(rows), err, body)
	}
	row := rows[1]
	if row[1] != `ООО "Рога; и копыта"` || row[3] != `'=HYPERLINK("http://evil","x")` || row[4] != "'+79181234567" ||
		row[5] != due.In(moscowZone(t)).Format(time.RFC3339) || row[8] != "operator1" || row[9] != "'@после обеда" {
		t.Errorf("row = %q", row)
	}
	for i, cell := range row {
		if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
			t.Errorf("cell %d %q would be a formula", i, cell)
		}
	}

	_, page := s.get(c, "/callbacks")
	if !strings.Contains(page, "ООО &#34;Рога; и копыта&#34;") || !strings.Contains(page, "&#43;79181234567") {
		t.Fatal("the page does not list the task")
	}
	var task int64
	if err := s.Pool.QueryRow(ctx, `SELECT id FROM outcomes WHERE kind = 'callback'`).Scan(&task); err != nil {
		t.Fatal(err)
	}
	if res := s.post(c, fmt.Sprintf("/callbacks/%d/done", task), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("done: %d", res.StatusCode)
	}
	if _, page := s.get(c, "/callbacks"); !strings.Contains(page, "No open callback tasks.") ||
		!strings.Contains(page, fmt.Sprintf("Callback task #%d marked done.", task)) {
		t.Error("the task is still listed after it was done")
	}
	if _, body := s.download(c, "/callbacks.csv", "same-origin"); strings.Count(body, "\n") != 1 {
		t.Errorf("a done task is still in the file:\n%s", body)
	}
}

// download posts an empty form as a page's download button does; site is what the browser says of the page that
// sent it (Sec-Fetch-Site: same-origin, cross-site).
func (s *site) download(c *http.Client, path, site string) (*http.Response, string) {
	s.t.Helper()
	r, _ := http.NewRequest(http.MethodPost, s.URL+path, nil)
	r.Header.Set("Sec-Fetch-Site", site)
	res, err := c.Do(r)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// Downloading the callback file records which tasks were handed over, so a link or a form on another site must
// not do it while a supervisor is logged in: a GET is no longer the download, and a cross-site POST is refused.
// The page's own button posts the download.
func TestCallbackExportIsAPostAnotherSiteCannotTrigger(t *testing.T) {
	s := newSupervisedSite(t)
	ctx := context.Background()
	op := s.ids[auth.Operator]
	if err := s.svc.SetPresence(ctx, op, dialog.Online); err != nil {
		t.Fatal(err)
	}
	conv := s.write(s.chat("ООО Ромашка", "Анна", "+79181234567"), "Перезвоните")
	if _, err := s.svc.RecordOutcome(ctx, conv, op, dialog.Outcome{Kind: dialog.OutcomeCallback,
		DueAt: time.Now().Add(26 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	exported := func() (n int) {
		if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM outcomes WHERE exported_at IS NOT NULL`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	c := s.loggedIn(auth.Supervisor)
	if res, _ := s.get(c, "/callbacks.csv"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /callbacks.csv: %d, want 404", res.StatusCode)
	}
	if res, _ := s.download(c, "/callbacks.csv", "cross-site"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site POST: %d, want 403", res.StatusCode)
	}
	if n := exported(); n != 0 {
		t.Fatalf("%d tasks marked exported by requests the supervisor did not make", n)
	}
	_, page := s.get(c, "/callbacks")
	if !strings.Contains(page, `<form method="post" action="/callbacks.csv"><button type="submit" class="primary" data-testid="callbacks-csv">Download CSV for Excel</button></form>`) {
		t.Error("the page has no download button posting the form")
	}
	if res, body := s.download(c, "/callbacks.csv", "same-origin"); res.StatusCode != http.StatusOK || strings.Count(body, "\n") != 2 {
		t.Fatalf("the page's button: %d\n%s", res.StatusCode, body)
	}
	if n := exported(); n != 1 {
		t.Errorf("%d tasks marked exported after the download, want 1", n)
	}
}

// The supervisor's pages name statuses, outcomes and lead states by keys built at run time, which the template
// scan of TestCatalogIsCompleteAndUsed cannot see: each has both languages, and the pages speak Russian whole.
func TestSupervisorPagesSpeakBothLanguages(t *testing.T) {
	var keys []string
	for _, k := range []string{"online", "away", "offline"} {
		keys = append(keys, "live.status_"+k)
	}
	for _, k := range []string{"bot", "waiting", "assigned", "closed"} {
		keys = append(keys, "live.conv_"+k)
	}
	for _, k := range []string{dialog.OutcomeConsent, dialog.OutcomeRefusal, dialog.OutcomeCallback, dialog.OutcomeMeeting,
		dialog.OutcomeAccountOpened, dialog.OutcomeAcquiringConnected} {
		keys = append(keys, "live.outcome_"+k)
	}
	for _, k := range []string{"new", "offered", "replied", "consented", "converted", "refused", "closed"} {
		keys = append(keys, "live.lead_"+k)
	}
	for _, k := range keys {
		en, ru := operatorui.T("en", k), operatorui.T("ru", k)
		if strings.HasPrefix(en, "[") || strings.HasPrefix(ru, "[") || en == ru {
			t.Errorf("%s: en %q, ru %q", k, en, ru)
		}
	}

	s := newSupervisedSite(t)
	conv := s.write(s.chat("ООО Ромашка", "", ""), "Здравствуйте")
	c := s.loggedIn(auth.Supervisor)
	s.post(c, "/account/locale", url.Values{"locale": {"ru"}})
	untranslated := regexp.MustCompile(`\[[a-z_]+\.[a-z_.0-9]+\]`)
	for _, p := range []string{"/live", fmt.Sprintf("/live/dialogs/%d", conv), fmt.Sprintf("/live/operators/%d", s.ids[auth.Operator]),
		"/scripts", "/scripts/new", "/offers", "/offers/new", "/callbacks"} {
		res, body := s.get(c, p)
		if res.StatusCode != http.StatusOK || untranslated.MatchString(body) || !strings.Contains(body, `lang="ru"`) {
			t.Errorf("%s in Russian: %d, untranslated %q", p, res.StatusCode, untranslated.FindString(body))
		}
	}
	if _, body := s.get(c, "/live"); !strings.Contains(body, "Ждут слишком долго") || !strings.Contains(body, "Недозвоны") {
		t.Error("the live view is not in Russian")
	}
}
