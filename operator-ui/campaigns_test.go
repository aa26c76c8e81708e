package operatorui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dozvon/campaigns"
	"dozvon/internal/auth"
	"dozvon/messenger/telegram/tgfake"
	operatorui "dozvon/operator-ui"
)

// missedCallLead adds a client whose new account application was called twice without an answer, and the
// missed-call lead derived from it, as imports and DeriveLeads leave them; with a chat when chatID is not 0.
func (s *site) missedCallLead(company, phone, region string, chatID int64) int64 {
	s.t.Helper()
	ctx := context.Background()
	var phoneArg any
	if phone != "" {
		phoneArg = phone
	}
	var lead int64
	err := s.Pool.QueryRow(ctx, `
		WITH c AS (
		    INSERT INTO clients (external_id, company_name, contact_name, phone, region)
		    VALUES ('ext-' || $1, $1, 'Ирина Петровна', $2, $3) RETURNING id
		), a AS (
		    INSERT INTO applications (external_id, client_id, product, status, submitted_at)
		    SELECT 'app-' || $1, id, 'rko', 'new', now() - interval '2 days' FROM c RETURNING id, client_id
		), e AS (
		    INSERT INTO application_events (application_id, kind, result, occurred_at)
		    SELECT id, 'call_attempt', 'no_answer', now() - x * interval '3 hours' FROM a, generate_series(1, 2) x
		)
		INSERT INTO leads (client_id, application_id, kind, eligible_at)
		SELECT client_id, id, 'missed_call', now() - interval '3 hours' FROM a RETURNING id`,
		company, phoneArg, region).Scan(&lead)
	if err != nil {
		s.t.Fatal(err)
	}
	if chatID != 0 {
		if _, err := s.Pool.Exec(ctx, `
			WITH ct AS (INSERT INTO contacts (channel, bot_id, chat_id, user_id, first_name, status, linked_via)
			            VALUES ('telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), $1, $1, 'Ирина', 'active', 'deep_link') RETURNING id)
			INSERT INTO contact_leads (contact_id, lead_id, via) SELECT id, $2, 'deep_link' FROM ct`, chatID, lead); err != nil {
			s.t.Fatal(err)
		}
	}
	return lead
}

// campaignForm is the campaign form as a manager fills it in: a missed-call campaign with two buttons, no quiet
// hours (so tests do not depend on the time of day), and what change sets on top.
func campaignForm(change func(url.Values)) url.Values {
	v := url.Values{
		"name": {"Недозвоны: счёт"}, "description": {"Тест"}, "lead_kind": {"missed_call"},
		"body":          {"Здравствуйте, {{.ClientName}}! Счёт для <b>{{.Company}}</b> ждёт."},
		"button_text":   {"Продолжить в чате", "Отписаться", "", ""},
		"button_action": {"route", "opt_out", "", ""},
		"button_reply":  {"", "", "", ""},
		"quiet_from":    {"00:00"}, "quiet_to": {"00:00"}, "frequency_cap_days": {"7"},
	}
	if change != nil {
		change(v)
	}
	return v
}

// postPage posts a form and returns the response with its body.
func (s *site) postPage(c *http.Client, path string, form url.Values) (*http.Response, string) {
	s.t.Helper()
	res, err := c.PostForm(s.URL+path, form)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// createCampaign creates a campaign through the form and returns its id.
func (s *site) createCampaign(c *http.Client, form url.Values) int64 {
	s.t.Helper()
	res, body := s.postPage(c, "/campaigns", form)
	loc := res.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/campaigns/"), 10, 64)
	if res.StatusCode != http.StatusSeeOther || err != nil {
		s.t.Fatalf("create campaign: %d to %q\n%s", res.StatusCode, loc, errorOf(body))
	}
	return id
}

var alertRe = regexp.MustCompile(`(?s)data-testid="error">(.*?)</div>`)

// errorOf is the page's alert, to say why a request failed.
func errorOf(body string) string {
	if m := alertRe.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return "(no alert on the page)"
}

// testid finds what an element marked data-testid=id shows, as the page's HTML has it.
func testid(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`data-testid="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no element %s on the page", id)
	}
	return m[1]
}

func (s *site) auditActions(t *testing.T) []string {
	t.Helper()
	entries, err := s.Users.AuditLog(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(entries) - 1; i >= 0; i-- {
		if strings.HasPrefix(entries[i].Action, "campaign.") || strings.HasPrefix(entries[i].Action, "lead_rules.") {
			out = append(out, entries[i].Action)
		}
	}
	return out
}

// A template that does not compile is sent back with the reason next to it, and with everything the manager
// typed, rather than lost; nothing is created.
func TestCreateWithABadTemplateExplainsTheMistakeAndKeepsTheInput(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	res, body := s.postPage(c, "/campaigns", campaignForm(func(v url.Values) {
		v.Set("body", "Здравствуйте, {{.Name}} из <b>{{.Company}}</b>")
		v.Set("regions", "Москва, Приморский край")
	}))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	if got, want := errorOf(body), "Please correct “Message text”: unknown variable .Name; use one of {{.ClientName}}, {{.Company}}, {{.INN}}, {{.Region}}, {{.Manager}}"; got != want {
		t.Errorf("alert %q\nwant %q", got, want)
	}
	for _, want := range []string{
		`<p class="field-error" role="alert" data-testid="field-error">unknown variable .Name;`,
		`aria-invalid="true">Здравствуйте, {{.Name}} из &lt;b&gt;{{.Company}}&lt;/b&gt;</textarea>`,
		`name="name" value="Недозвоны: счёт"`, `name="regions" value="Москва, Приморский край"`,
		`<input type="radio" name="lead_kind" value="missed_call" checked>`,
		`name="button_text" value="Продолжить в чате"`, `<option value="opt_out" selected>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page sent back lacks %q", want)
		}
	}
	if list, _ := s.Campaigns.List(context.Background(), true); len(list) != 0 {
		t.Errorf("%d campaigns were created", len(list))
	}

	// A number field with words in it is the form's own mistake.
	res, body = s.postPage(c, "/campaigns", campaignForm(func(v url.Values) { v.Set("min_attempts", "два") }))
	if got := errorOf(body); res.StatusCode != 422 || got != "Please correct “Unanswered calls, at least”: must be a whole number, not “два”" {
		t.Errorf("words in a number: %d %q", res.StatusCode, got)
	}
}

// A schedule that is not cron is refused with the package's explanation, on the form and in the live preview,
// which shows the next five runs of a good one in the schedule's own time zone.
func TestScheduleIsExplainedAndPreviewedLive(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	res, body := s.postPage(c, "/campaigns", campaignForm(func(v url.Values) { v.Set("schedule", "every day") }))
	if res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(errorOf(body), `Please correct “Schedule”: &#34;every day&#34; is not a schedule`) ||
		!strings.Contains(body, `data-testid="schedule-error">&#34;every day&#34; is not a schedule`) {
		t.Errorf("bad cron: %d, alert %q", res.StatusCode, errorOf(body))
	}

	status, raw := s.call(c, http.MethodGet, "/campaigns/api/schedule?expr="+url.QueryEscape("* * * * *"), nil)
	if status != http.StatusUnprocessableEntity || !strings.Contains(raw, "runs must be at least 15 minutes apart") {
		t.Errorf("every minute: %d %s", status, raw)
	}
	status, raw = s.call(c, http.MethodGet, "/campaigns/api/schedule?expr="+url.QueryEscape("CRON_TZ=Asia/Vladivostok 0 10 * * 1-5"), nil)
	runs := decode[struct{ Runs []string }](t, raw).Runs
	// Shown in the manager's zone (Moscow, the installation's), with the schedule's own hours beside them.
	slot := regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri) \d\d\.\d\d\.20\d\d 03:00 MSK \(10:00 UTC\+10\)$`)
	if status != http.StatusOK || len(runs) != 5 {
		t.Fatalf("weekdays at 10 in Vladivostok: %d %s, want five runs", status, raw)
	}
	for _, r := range runs {
		if !slot.MatchString(r) {
			t.Errorf("run %q is not a weekday at 10:00 Vladivostok time", r)
		}
	}
	if status, raw = s.call(c, http.MethodGet, "/campaigns/api/schedule?expr=", nil); status != 200 || strings.TrimSpace(raw) != `{"runs":[]}` {
		t.Errorf("no schedule (by hand only): %d %s", status, raw)
	}
}

// The whole life of a campaign through its pages: created, seen (preview and audience), edited, run — and the
// run is in its history, the progress on the list, the invitation in the CSV, each step in the audit log.
func TestCreateEditRunAndSeeTheRunInHistory(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	s.missedCallLead(`ООО "Рога & <Копыта>"`, "", "Москва", 501)
	s.missedCallLead("ООО Без чата", "+79180000001", "Москва", 0)
	s.missedCallLead("ООО Далеко", "+79180000002", "Приморский край", 502)

	id := s.createCampaign(c, campaignForm(func(v url.Values) { v.Set("regions", "Москва") }))
	path := "/campaigns/" + strconv.FormatInt(id, 10)
	_, body := s.get(c, path)
	if got := testid(t, body, "flash"); got != "Campaign created as a draft." {
		t.Errorf("flash %q", got)
	}
	for id, want := range map[string]string{
		"campaign-title": "Недозвоны: счёт", "campaign-status": "Draft",
		"audience-reachable": "1", "audience-needs-invite": "1", "audience-opted-out": "0",
		"preview-who": "As ООО &#34;Рога &amp; &lt;Копыта&gt;&#34; will see it — the first lead of the audience.",
	} {
		if got := testid(t, body, id); got != want {
			t.Errorf("%s reads %q, want %q", id, got, want)
		}
	}
	// The preview is the message itself, the lead's name escaped; its buttons under it.
	if !strings.Contains(body, `data-testid="preview">Здравствуйте, Ирина Петровна! Счёт для <strong>ООО &#34;Рога &amp; &lt;Копыта&gt;&#34;</strong> ждёт.</div>`) ||
		!strings.Contains(body, `<span class="tg-button">Продолжить в чате</span></div><div class="tg-row"><span class="tg-button">Отписаться</span>`) {
		t.Errorf("the preview does not show the message with its buttons")
	}

	res, body := s.postPage(c, path, campaignForm(func(v url.Values) {
		v.Set("name", "Недозвоны: Москва")
		v.Set("regions", "Москва")
	}))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", res.StatusCode, errorOf(body))
	}
	if _, body = s.get(c, path); testid(t, body, "campaign-title") != "Недозвоны: Москва" || testid(t, body, "flash") != "Changes saved." {
		t.Errorf("after the edit the page reads %q", testid(t, body, "campaign-title"))
	}

	if res := s.post(c, path+"/run", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("run: %d", res.StatusCode)
	}
	_, body = s.get(c, path)
	if got := testid(t, body, "flash"); got != "Run done — queued: 1, invited: 1, excluded: 0." {
		t.Errorf("flash after the run %q", got)
	}
	for id, want := range map[string]string{
		"run-audience": "2", "run-enqueued": "1", "run-invited": "1", "run-excluded": "0", "run-status": "Done",
		"progress-queued": "1", "progress-done": "0%", "invitations-total": "1", "audience-offered": "1",
	} {
		if got := testid(t, body, id); got != want {
			t.Errorf("after the run %s reads %q, want %q", id, got, want)
		}
	}
	if n := strings.Count(body, `data-testid="run"`); n != 1 {
		t.Errorf("%d runs in the history, want 1", n)
	}

	// The sender delivers the message; the list's progress, polled as JSON, says so.
	if _, err := s.Pool.Exec(context.Background(), `UPDATE outbox SET state = 'sent', sent_at = now()`); err != nil {
		t.Fatal(err)
	}
	status, raw := s.call(c, http.MethodGet, "/campaigns/api/progress", nil)
	got := decode[struct {
		Campaigns []map[string]any `json:"campaigns"`
	}](t, raw).Campaigns
	if status != http.StatusOK || len(got) != 1 || got[0]["sent"] != 1.0 || got[0]["queued"] != 0.0 || got[0]["done"] != 100.0 ||
		got[0]["status_label"] != "Run by hand" || got[0]["last_run"] == "" {
		t.Errorf("progress: %d %s", status, raw)
	}
	_, body = s.get(c, "/campaigns")
	if testid(t, body, "campaign-done") != "100%" || testid(t, body, "campaign-sent") != "1" || testid(t, body, "campaign-name") != "Недозвоны: Москва" {
		t.Errorf("the list does not show the campaign done")
	}

	res, err := c.Get(s.URL + path + "/invitations.csv")
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || ct != "text/csv; charset=utf-8" ||
		res.Header.Get("Content-Disposition") != fmt.Sprintf(`attachment; filename="campaign-%d-invitations.csv"`, id) {
		t.Errorf("invitations.csv: %d %q %q", res.StatusCode, ct, res.Header.Get("Content-Disposition"))
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 2 || lines[0] != "\ufeffphone;company;contact_name;link;invited_at;followed_at" ||
		!strings.HasPrefix(lines[1], "'+79180000001;ООО Без чата;Ирина Петровна;https://t.me/dozvon_sim_bot?start=") {
		t.Errorf("invitations.csv:\n%s", csv)
	}

	want := []string{"campaign.create", "campaign.update", "campaign.run", "campaign.invitations_export"}
	if got := s.auditActions(t); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("audit log %v, want %v", got, want)
	}
}

// Status commands: each applies to some statuses only, changes what the sender may send, and is audited; a
// cancelled campaign offers nothing more.
func TestActivatePauseResumeAndCancel(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Admin)
	s.missedCallLead("ООО Ромашка", "", "Москва", 501)
	id := s.createCampaign(c, campaignForm(nil))
	path := "/campaigns/" + strconv.FormatInt(id, 10)
	state := func() string {
		var st string
		_ = s.Pool.QueryRow(context.Background(), `SELECT state FROM outbox`).Scan(&st)
		return st
	}
	step := func(action string, want int) string {
		t.Helper()
		res, body := s.postPage(c, path+"/"+action, nil)
		if res.StatusCode != want {
			t.Fatalf("%s: %d, want %d (%s)", action, res.StatusCode, want, errorOf(body))
		}
		if want != http.StatusSeeOther {
			return body
		}
		_, body = s.get(c, path)
		return body
	}

	body := step("activate", http.StatusSeeOther)
	if testid(t, body, "campaign-status") != "Active" || testid(t, body, "flash") != "The campaign is now: Active." ||
		!strings.Contains(body, `data-testid="action-pause"`) || strings.Contains(body, `data-testid="action-activate"`) {
		t.Errorf("after activate: status %q", testid(t, body, "campaign-status"))
	}
	step("run", http.StatusSeeOther)
	body = step("pause", http.StatusSeeOther)
	if testid(t, body, "campaign-status") != "Paused" || state() != "held" || strings.Contains(body, `data-testid="action-run"`) {
		t.Errorf("after pause: status %q, message %s", testid(t, body, "campaign-status"), state())
	}
	if body = step("run", http.StatusConflict); errorOf(body) != "This does not apply to a campaign that is “Paused”." {
		t.Errorf("running a paused campaign: %q", errorOf(body))
	}
	body = step("resume", http.StatusSeeOther)
	if testid(t, body, "campaign-status") != "Active" || state() != "queued" {
		t.Errorf("after resume: status %q, message %s", testid(t, body, "campaign-status"), state())
	}
	if body = step("resume", http.StatusConflict); errorOf(body) != "This does not apply to a campaign that is “Active”." {
		t.Errorf("resuming an active campaign: %q", errorOf(body))
	}
	body = step("cancel", http.StatusSeeOther)
	if testid(t, body, "campaign-status") != "Cancelled" || state() != "cancelled" || strings.Contains(body, `data-testid="action-`) {
		t.Errorf("after cancel: status %q, message %s", testid(t, body, "campaign-status"), state())
	}
	step("activate", http.StatusConflict)

	// A cancelled campaign leaves the list unless asked for.
	if _, body = s.get(c, "/campaigns"); strings.Contains(body, `data-campaign="`+strconv.FormatInt(id, 10)+`"`) {
		t.Error("the cancelled campaign is listed")
	}
	if _, body = s.get(c, "/campaigns?all=1"); !strings.Contains(body, `data-campaign="`+strconv.FormatInt(id, 10)+`"`) {
		t.Error("the cancelled campaign is not listed with all=1")
	}
	want := []string{"campaign.create", "campaign.activate", "campaign.run", "campaign.pause", "campaign.resume", "campaign.cancel"}
	if got := s.auditActions(t); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("audit log %v, want %v", got, want)
	}
}

// The cancel button asks first: the page's script confirms forms that carry data-confirm.
func TestCancelAsksForConfirmation(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	id := s.createCampaign(c, campaignForm(nil))
	_, body := s.get(c, "/campaigns/"+strconv.FormatInt(id, 10))
	if !strings.Contains(body, `/cancel" class="inline" data-confirm="Cancel this campaign? Messages not yet sent are dropped, and it cannot be resumed.">`) {
		t.Error("the cancel form does not ask for confirmation")
	}
}

// After a manual run, invitations go to the campaign's SMS gateway without the manager waiting for it.
func TestManualRunPostsInvitationsToTheSMSGateway(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	s.missedCallLead("ООО Без чата", "+79180000001", "Москва", 0)
	var posted atomic.Value
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		posted.Store(string(b))
	}))
	defer gateway.Close()
	s.Campaigns.Gateway = campaigns.GatewayClient(true) // DOZVON_SMS_ALLOW_PRIVATE: the test's gateway is on loopback
	id := s.createCampaign(c, campaignForm(func(v url.Values) { v.Set("invite_webhook", gateway.URL+"/sms") }))
	if res := s.post(c, "/campaigns/"+strconv.FormatInt(id, 10)+"/run", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("run: %d", res.StatusCode)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := s.Campaigns.CountInvitations(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if n.Posted == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the invitation was not posted: %+v", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if body, _ := posted.Load().(string); !strings.Contains(body, `"phone":"+79180000001"`) || !strings.Contains(body, `"link":"https://t.me/dozvon_sim_bot?start=`) {
		t.Errorf("the gateway got %s", body)
	}
	_, body := s.get(c, "/campaigns/"+strconv.FormatInt(id, 10))
	if got := testid(t, body, "invitations-posted"); got != "1" {
		t.Errorf("posted to the gateway reads %q", got)
	}
}

// A test message is the preview, buttons included, queued ahead of broadcasts to a simulated client — not
// counted as the campaign's.
func TestSendATestToASimulatedClient(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	s.missedCallLead("ООО Ромашка", "", "Москва", 501)
	anna := s.Sim.AddUser(tgfake.User{FirstName: "Anna", LastName: "Test", Phone: "+79161234567"})
	id := s.createCampaign(c, campaignForm(nil))
	path := "/campaigns/" + strconv.FormatInt(id, 10)

	_, body := s.get(c, path)
	if !strings.Contains(body, fmt.Sprintf(`<option value="%d">Anna Test · &#43;79161234567</option>`, anna.ID)) {
		t.Error("the simulated client is not offered")
	}
	if res := s.post(c, path+"/test", url.Values{"chat_id": {strconv.FormatInt(anna.ID, 10)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send a test: %d", res.StatusCode)
	}
	var chat int64
	var text, markup string
	var priority int
	var campaign *int64
	err := s.Pool.QueryRow(context.Background(), `SELECT chat_id, text, reply_markup::text, priority, campaign_id FROM outbox`).
		Scan(&chat, &text, &markup, &priority, &campaign)
	if err != nil {
		t.Fatal(err)
	}
	if chat != anna.ID || text != "Здравствуйте, Ирина Петровна! Счёт для <b>ООО Ромашка</b> ждёт." || priority != 10 || campaign != nil {
		t.Errorf("queued to %d at priority %d for campaign %v: %q", chat, priority, campaign, text)
	}
	var buttons [][]struct{ Text, Data string }
	_ = json.Unmarshal([]byte(markup), &buttons)
	if len(buttons) != 2 || buttons[0][0].Text != "Продолжить в чате" || buttons[0][0].Data != fmt.Sprintf("c:%d:0", id) || buttons[1][0].Data != "optout" {
		t.Errorf("buttons %s", markup)
	}
	if _, body = s.get(c, path); testid(t, body, "flash") != "The message for ООО Ромашка (Ирина Петровна) is queued to Anna Test." || testid(t, body, "progress-queued") != "0" {
		t.Error("the test message is not confirmed, or counts as the campaign's")
	}

	for chatID, want := range map[string]string{"": "Choose whom to send the test to", "424242": "There is no such simulated client."} {
		if res, body := s.postPage(c, path+"/test", url.Values{"chat_id": {chatID}}); res.StatusCode != 422 || !strings.Contains(errorOf(body), want) {
			t.Errorf("a test to %q: %d %q", chatID, res.StatusCode, errorOf(body))
		}
	}
	if got := s.auditActions(t); strings.Join(got, ",") != "campaign.create,campaign.test" {
		t.Errorf("audit log %v", got)
	}
}

// With a real bot there is no simulator to pick from: the manager types the chat id.
func TestSendATestByChatIDWithARealBot(t *testing.T) {
	s := newSiteWith(t, func(d *operatorui.Deps) { d.Sim = nil })
	c := s.loggedIn(auth.Manager)
	id := s.createCampaign(c, campaignForm(nil))
	path := "/campaigns/" + strconv.FormatInt(id, 10)
	if _, body := s.get(c, path); !strings.Contains(body, `<input name="chat_id" inputmode="numeric"`) {
		t.Error("no chat id field")
	}
	if res := s.post(c, path+"/test", url.Values{"chat_id": {"123456789"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send a test: %d", res.StatusCode)
	}
	var chat int64
	if err := s.Pool.QueryRow(context.Background(), `SELECT chat_id FROM outbox`).Scan(&chat); err != nil || chat != 123456789 {
		t.Errorf("queued to %d (%v)", chat, err)
	}
}

// A manager's link may point anywhere and clients' names may carry markup: the preview shows Telegram's
// formatting and nothing else. (Attributes Telegram ignores, like onclick, do not pass Compile.)
func TestPreviewShowsFormattingButNoScriptOrUnsafeLinks(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	s.missedCallLead(`<img src=x onerror=alert(1)>`, "", "Москва", 501)
	id := s.createCampaign(c, campaignForm(func(v url.Values) {
		v.Set("body", `<b>Привет</b>, {{.Company}}: <a href="javascript:alert(2)">это</a> или <a`+"\n"+`href="https://bank.example/?a=1&amp;b=2">это</a> <tg-spoiler>секрет</tg-spoiler> 5 &lt; 6 `+
			`<tg-time unix="1647531900" format="t">в 10:00</tg-time>`)
	}))
	_, body := s.get(c, "/campaigns/"+strconv.FormatInt(id, 10))
	want := `data-testid="preview"><strong>Привет</strong>, &lt;img src=x onerror=alert(1)&gt;: <span>это</span> или ` +
		`<a href="https://bank.example/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">это</a> <span class="tg-spoiler">секрет</span> 5 &lt; 6 ` +
		`<span>в 10:00</span></div>`
	if !strings.Contains(body, want) {
		m := regexp.MustCompile(`data-testid="preview">.*</div>`).FindString(body)
		t.Errorf("preview\n%s\nwant\n%s", m, want)
	}
}

// The lead rules are edited with the package's validation, kept as typed when refused, and audited.
func TestLeadRulesAreEditedWithValidation(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	s.missedCallLead("ООО Ромашка", "", "Москва", 0)
	_, body := s.get(c, "/leads/rules")
	for id, want := range map[string]string{"leads-missed_call": "1", "leads-follow_up": "0", "leads-acquiring": "0"} {
		if got := testid(t, body, id); got != want {
			t.Errorf("%s reads %q, want %q", id, got, want)
		}
	}
	for _, want := range []string{`name="missed_min_attempts" value="2"`, `name="missed_max_age_days" value="14"`,
		`name="follow_up_days" value="7"`, `name="follow_up_max_age_days" value="60"`, `name="acquiring_days" value="30"`,
		`name="acquiring_okved" value="47, 56, 79, 85.41, 86.2, 86.9, 93, 95, 96"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the rules form lacks %q", want)
		}
	}
	form := func(change func(url.Values)) url.Values {
		v := url.Values{"missed_min_attempts": {"3"}, "missed_max_age_days": {"21"}, "follow_up_days": {"5"},
			"follow_up_max_age_days": {"45"}, "acquiring_days": {"20"}, "acquiring_okved": {"47.91, 56"}}
		if change != nil {
			change(v)
		}
		return v
	}
	res, body := s.postPage(c, "/leads/rules", form(func(v url.Values) { v.Set("acquiring_okved", "47.91, рыба") }))
	if res.StatusCode != 422 || errorOf(body) != "Please correct: acquiring: &#34;рыба&#34; is not an OKVED code (e.g. 47.91 or 56)" ||
		!strings.Contains(body, `name="acquiring_okved" value="47.91, рыба"`) {
		t.Errorf("a bad OKVED code: %d %q", res.StatusCode, errorOf(body))
	}
	res, body = s.postPage(c, "/leads/rules", form(func(v url.Values) { v.Set("follow_up_days", "") }))
	if res.StatusCode != 422 || errorOf(body) != "Please correct “Days since the meeting was booked”: must be a whole number, not “”" {
		t.Errorf("an empty number: %d %q", res.StatusCode, errorOf(body))
	}
	if res := s.post(c, "/leads/rules", form(nil)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	rules, err := s.Campaigns.Rules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rules.MissedCall.MinAttempts != 3 || rules.MissedCall.MaxAgeDays != 21 || rules.FollowUp.Days != 5 ||
		rules.FollowUp.MaxAgeDays != 45 || rules.Acquiring.Days != 20 || strings.Join(rules.Acquiring.OKVED, ",") != "47.91,56" {
		t.Errorf("saved rules %+v", rules)
	}
	if _, body = s.get(c, "/leads/rules"); testid(t, body, "flash") != "Lead rules saved." {
		t.Error("no confirmation")
	}
	if got := s.auditActions(t); strings.Join(got, ",") != "lead_rules.save" {
		t.Errorf("audit log %v", got)
	}
}

// Managers (and administrators) find campaigns and lead rules in the navigation, each with its key, and the
// campaign's own pages keep "Campaigns" marked as the current section.
func TestNavigationOffersCampaignsAndLeadRulesToManagers(t *testing.T) {
	s := newSite(t)
	for role, want := range map[auth.Role]bool{auth.Operator: false, auth.Manager: true, auth.Supervisor: false, auth.Admin: true} {
		_, body := s.get(s.loggedIn(role), "/account")
		if got := strings.Contains(body, `href="/campaigns" data-key="m"`) && strings.Contains(body, `href="/leads/rules" data-key="r"`); got != want {
			t.Errorf("%s: campaign links shown %v, want %v", role, got, want)
		}
	}
	_, body := s.get(s.loggedIn(auth.Manager), "/campaigns/new")
	if !strings.Contains(body, `href="/campaigns" data-key="m" aria-current="page"`) {
		t.Error("/campaigns/new does not mark Campaigns as the current section")
	}
}

// Labels chosen at run time (statuses, kinds, actions, variables, run triggers) exist in both languages.
func TestCampaignLabelsAreTranslated(t *testing.T) {
	var keys []string
	for _, st := range []string{campaigns.StatusDraft, campaigns.StatusActive, campaigns.StatusPaused, campaigns.StatusCancelled, "finished"} {
		keys = append(keys, "campaign.status_"+st)
	}
	for _, a := range []string{campaigns.ActionRoute, campaigns.ActionCallback, campaigns.ActionOptOut, campaigns.ActionReply} {
		keys = append(keys, "action."+a)
	}
	for _, v := range campaigns.VariableNames {
		keys = append(keys, "var."+v)
	}
	for _, k := range campaigns.Kinds {
		keys = append(keys, "kind."+k)
	}
	keys = append(keys, "runs.trigger_schedule", "runs.trigger_manual", "runs.status_running", "runs.status_done",
		"runs.status_failed", "runs.status_cancelled")
	for _, key := range keys {
		en, ru := operatorui.T("en", key), operatorui.T("ru", key)
		if strings.HasPrefix(en, "[") || strings.HasPrefix(ru, "[") || en == ru {
			t.Errorf("%s: en %q, ru %q", key, en, ru)
		}
	}
}
