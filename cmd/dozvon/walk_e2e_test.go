package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dozvon/campaigns/imports"
	"dozvon/internal/browsertest"
)

// storedCodes are the values the product keeps in its tables and must never show as they are to a Russian reader:
// lead, conversation, campaign, application and contact statuses, lead kinds, outbox states, outcomes and events,
// the channels as bare lowercase words, and the audit log's action codes. Codes with an underscore are caught by
// codeShape as well; the list names the single words and the dotted audit codes, which no pattern can tell from
// prose.
var storedCodes = strings.Fields(`
	new offered replied consented converted refused closed in_progress meeting_booked account_opened rejected
	missed_call follow_up acquiring
	bot waiting assigned
	draft active paused cancelled finished
	queued sending sent failed held
	blocked opted_out
	online away offline
	no_answer busy voicemail wrong_number unreachable call_attempt call_answered callback meeting_held
	acquiring_connected status_changed
	telegram max
	login.ok login.failed logout password.change password.change_failed password.reset
	campaign.run campaign.create campaign.update campaign.activate campaign.pause campaign.resume campaign.cancel
	campaign.test campaign.invitations_export user.create user.update user.bootstrap_admin token.issue token.revoke
	settings.channels bot.rename bot.enable bot.disable dialog.reassign dialog.qa_review offer.create offer.update
	offer.delete script.create script.update script.delete import.clients import.applications import.events
	import.problems_export lead_rules.save callbacks.export callbacks.done operator.capacity operator.presence
	operator.queues audit.export`)

// codeShape is a stored code's shape: lowercase Latin words joined by underscores (no_answer, missed_call).
var codeShape = regexp.MustCompile(`^[a-z]+_[a-z_]+$`)

// visibleText is what a person reads on the page: the text of every visible element, except where showing a code
// is meant (an example in <code>, <kbd> or <pre>, a text being edited), with one text node a line.
const visibleText = `(() => {
	const skip = "SCRIPT,STYLE,NOSCRIPT,TEMPLATE,CODE,KBD,PRE,TEXTAREA,SAMP";
	const out = [];
	const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walk.nextNode(); n; n = walk.nextNode()) {
		const el = n.parentElement;
		if (!el || el.closest(skip.split(",").map(s => s.toLowerCase()).join(","))) continue;
		if (el.checkVisibility && !el.checkVisibility({visibilityProperty: true, opacityProperty: false})) continue;
		const s = n.textContent.trim();
		if (s) out.push(s);
	}
	for (const sel of document.querySelectorAll("select")) {
		if (sel.selectedOptions.length) out.push(sel.selectedOptions[0].text);
	}
	return out.join("\n");
})()`

// widest names the outermost elements that reach past the screen's right edge, to say what makes a page too wide.
const widest = `(() => {
	const out = [];
	for (const el of document.body.querySelectorAll("*")) {
		const r = el.getBoundingClientRect().right;
		if (r > 1366 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > 1366) && out.length < 5) {
			out.push(el.tagName.toLowerCase() + (el.className ? "." + String(el.className).replace(/ +/g, ".") : "") +
				(el.dataset.testid ? "[data-testid=" + el.dataset.testid + "]" : "") + " to " + Math.round(r) + " px");
		}
	}
	return out;
})()`

// importColumns are the column names of the bank's files and of the API's records (external_id, company_name):
// the import's preview names each beside its label, "Наименование (company_name)", so that the manager can match
// the file's header, as the sample files and README spell them. Shown that way, in brackets, they are meant.
func importColumns() map[string]bool {
	out := map[string]bool{}
	for _, d := range []imports.Dataset{imports.Clients, imports.Applications, imports.Events} {
		for _, f := range imports.Fields(d) {
			out["("+f.Name+")"] = true
		}
	}
	return out
}

// rawCodes lists the stored codes that text shows as words of their own. A word inside a path, an address or an
// e-mail (with "/", "@", "=" or ":" in it) is left alone: /api/v1/clients is an address, not a status; so is an
// import's column name in brackets after its label.
func rawCodes(text string) []string {
	listed := map[string]bool{}
	for _, c := range storedCodes {
		listed[c] = true
	}
	columns := importColumns()
	var found []string
	seen := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		for _, word := range strings.Fields(line) {
			if strings.ContainsAny(word, "/@=:") || columns[strings.TrimRight(word, ",;.*")] {
				continue
			}
			word = strings.Trim(word, ",;()«»\"'[]{}!?·—|.…")
			if (listed[word] || codeShape.MatchString(word)) && !seen[word] {
				seen[word] = true
				found = append(found, fmt.Sprintf("%s (in %q)", word, line))
			}
		}
	}
	return found
}

// TestEveryPageOfTheDemoInBothLanguages walks the demo as its team does: each role (administrator, manager,
// operator, supervisor) opens every page of its navigation, and a campaign's page, a dialog's page and the reports'
// lists of dialogs and refusals, at 1366×768, in Russian and in English. The pages that have content only after
// someone acted are walked after the team acts, through the product's own paths: the manager runs a campaign and
// checks a sample file for import (its preview and its report); a simulated client writes to the operator, who is
// online, and the console is walked with the dialog open, its card, scripts and offers; the supervisor reads that
// dialog, a dialog of the QA sample with its review form, and the operator's page. Every page is saved as a
// full-page PNG, pages/<lang>/<role>-<page>.png in $BROWSERTEST_SCREENSHOTS (or the system temporary folder's
// browsertest-screenshots); no page is wider than the screen (a wide table scrolls in its own box); and no Russian
// page shows a code as it is stored.
func TestEveryPageOfTheDemoInBothLanguages(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data, "DOZVON_DEMO=true")
	if srv.AdminPassword == "" || srv.DemoPassword == "" {
		t.Fatalf("the demo printed no passwords; stdout:\n%s", srv.Stdout())
	}
	shots := os.Getenv("BROWSERTEST_SCREENSHOTS") // where browsertest keeps its screenshots, as the other tests do
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "browsertest-screenshots")
	}
	shots = filepath.Join(shots, "pages")
	var w walked

	roles := []struct {
		login, password string
		act             func(*browsertest.Page) []string // what the role does first, and the pages it leads to
	}{
		{"admin", srv.AdminPassword, nil},
		{"manager", srv.DemoPassword, func(p *browsertest.Page) []string { return managerActs(t, p, srv) }},
		{"operator1", srv.DemoPassword, func(p *browsertest.Page) []string { return operatorActs(t, p, srv, &w) }},
		{"supervisor", srv.DemoPassword, func(p *browsertest.Page) []string { return supervisorActs(t, p, srv.URL, &w) }},
	}
	for _, role := range roles {
		page := browsertest.New(t)
		if _, err := chromedp.Run(page.Ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
			t.Fatal(err)
		}
		if status := page.Login(srv.URL, role.login, role.password); status != http.StatusOK {
			t.Fatalf("%s: login status %d", role.login, status)
		}
		if page.Has(testid("must-change")) { // the administrator's first sign-in: a password of their own first
			const own = "Admin-walks-the-demo-1"
			page.Fill(`input[name=current]`, role.password)
			page.Fill(`input[name=new]`, own)
			page.Fill(`input[name=confirm]`, own)
			if status := page.Submit(testid("save-password")); status != http.StatusOK {
				t.Fatalf("%s: change password: status %d", role.login, status)
			}
		}
		// The team's password was printed at the start: every page of theirs asks them to change it, so the walk
		// below measures every page with that notice on it; the administrator has just chosen their own.
		if printed := page.Has(testid("password-printed")); printed != (role.password == srv.DemoPassword) {
			t.Errorf("%s: the notice of a printed password is shown = %v", role.login, printed)
		}
		var after []string
		if role.act != nil {
			after = role.act(page)
		}
		for _, lang := range []string{"ru", "en"} {
			page.Open(srv.URL + "/account")
			page.Select(`select[name=locale]`, lang)
			page.Submit(`form[action="/account/locale"] button[type=submit]`)
			if got := page.Text(`html`); got == "" {
				t.Fatalf("%s: the account page is empty after choosing %s", role.login, lang)
			}
			for _, path := range append(pagesOf(t, page, srv.URL), after...) {
				if path == "/console" && w.conversation != "" && role.login == w.operator {
					walkConsole(t, page, srv.URL, role.login, lang, shots, &w)
					continue
				}
				walkPage(t, page, srv.URL, path, role.login, lang, shots)
			}
		}
	}
	t.Logf("screenshots: %s", shots)
}

// pagesOf is what the signed-in user can open: the links of the side navigation, and the pages one level under
// them a team reaches every day (a campaign, a dialog, the reports' lists).
func pagesOf(t *testing.T, page *browsertest.Page, base string) []string {
	t.Helper()
	page.Open(base + "/account")
	nav := hrefs(t, page, `nav a[href^="/"]`)
	if len(nav) == 0 {
		t.Fatal("the page has no navigation")
	}
	pages := append([]string(nil), nav...)
	has := func(p string) bool {
		for _, n := range nav {
			if n == p {
				return true
			}
		}
		return false
	}
	if has("/campaigns") {
		page.Open(base + "/campaigns")
		if c := firstMatch(hrefs(t, page, `a[href^="/campaigns/"]`), `^/campaigns/\d+$`); c != "" {
			pages = append(pages, c)
		} else {
			t.Error("the demo's campaigns page links to no campaign")
		}
	}
	if has("/reports") {
		pages = append(pages, "/reports/dialogs", "/reports/refusals")
		if has("/live") {
			page.Open(base + "/reports/dialogs")
			if d := firstMatch(hrefs(t, page, `a[href^="/live/dialogs/"]`), `^/live/dialogs/\d+`); d != "" {
				pages = append(pages, d)
			} else {
				t.Error("the demo's reported dialogs link to no dialog")
			}
		}
	}
	return pages
}

func hrefs(t *testing.T, page *browsertest.Page, selector string) []string {
	t.Helper()
	links, err := chromedp.Run(page.Ctx, chromedp.Evaluate[[]string](fmt.Sprintf(
		`[...document.querySelectorAll(%q)].map(a => a.getAttribute("href"))`, selector)))
	if err != nil {
		t.Fatalf("read the links %s: %v", selector, err)
	}
	return links
}

func firstMatch(links []string, pattern string) string {
	re := regexp.MustCompile(pattern)
	for _, l := range links {
		if re.MatchString(l) {
			return l
		}
	}
	return ""
}

// walkPage opens one page, saves it and checks its width and, in Russian, its words.
func walkPage(t *testing.T, page *browsertest.Page, base, path, role, lang, shots string) {
	t.Helper()
	if status := page.Open(base + path); status != http.StatusOK {
		t.Errorf("%s %s %s: status %d", lang, role, path, status)
		return
	}
	// The pages that fill themselves by script (the console, the live board, the simulator) are given a moment.
	time.Sleep(time.Second)
	bare, _, _ := strings.Cut(path, "?")
	checkPage(t, page, role+"-"+strings.NewReplacer("/", "_").Replace(strings.Trim(bare, "/")), lang, shots)
}

// checkPage saves the page as it is now as name.png and checks its width and, in Russian, its words.
func checkPage(t *testing.T, page *browsertest.Page, name, lang, shots string) {
	t.Helper()
	waitJS(t, page, `document.readyState === "complete"`, name+" loaded")
	ctx, cancel := context.WithTimeout(page.Ctx, browsertest.StepTimeout)
	defer cancel()
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatalf("%s %s: width: %v", lang, name, err)
	}
	if width > 1366 {
		wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](widest))
		t.Errorf("%s %s: the page is %d px wide on a 1366 px screen; sticking out: %s", lang, name, width,
			strings.Join(wide, ", "))
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("%s %s: screenshot: %v", lang, name, err)
	}
	if err := os.MkdirAll(filepath.Join(shots, lang), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(shots, lang, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}

	if lang != "ru" {
		return
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](visibleText))
	if err != nil {
		t.Fatalf("%s %s: text: %v", lang, name, err)
	}
	if !strings.ContainsAny(text, "абвгдеёжзийклмнопрстуфхцчшщыэюя") {
		t.Errorf("%s %s: no Russian on the page:\n%s", lang, name, text)
	}
	for _, code := range rawCodes(text) {
		t.Errorf("%s %s: shows the stored code %s", lang, name, code)
	}
}

// TestRawCodesAreFoundInTextAndAddressesAreNot checks the walk's reader on the lines issue 12 found on the card.
func TestRawCodesAreFoundInTextAndAddressesAreNot(t *testing.T) {
	got := rawCodes("Недозвоны · replied\n12.02.2026 · rko · new\ncall_attempt (no_answer)\nвход: login.ok.\n" +
		"POST /api/v1/clients · @dozvon_demo_bot · Telegram и MAX\nНаименование (company_name) *")
	var words []string
	for _, g := range got {
		w, _, _ := strings.Cut(g, " ")
		words = append(words, w)
	}
	if want := "replied new call_attempt no_answer login.ok"; strings.Join(words, " ") != want {
		t.Errorf("found %q, want %q", strings.Join(words, " "), want)
	}
}

// walked is what the team's acts left for the roles after them: the operator's dialog, which the supervisor reads.
type walked struct {
	operator, conversation string // the operator's login and the dialog on her screen
	text                   string // what its client wrote
}

// managerActs runs the demo's first campaign by hand, as "Run now" does after its question, and checks the
// bank's sample file of clients for import without saving it. The campaign's page then shows the run (it is among
// the pages of the walk already); the import's preview and report are the pages it returns.
func managerActs(t *testing.T, page *browsertest.Page, srv *server) []string {
	t.Helper()
	page.Open(srv.URL + "/campaigns")
	campaign := firstMatch(hrefs(t, page, `a[href^="/campaigns/"]`), `^/campaigns/\d+$`)
	if campaign == "" {
		t.Fatal("the demo's campaigns page links to no campaign")
	}
	page.Open(srv.URL + campaign)
	waitJS(t, page, `document.readyState === "complete"`, "the campaign's page loaded")
	page.AcceptDialogs()
	if status := page.Submit(testid("action-run")); status != http.StatusOK || page.Path() != campaign {
		t.Fatalf("run %s: status %d, on %s", campaign, status, page.Path())
	}
	if page.Text(testid("flash")) == "" || page.Count(testid("run")) == 0 {
		t.Fatalf("the campaign's page says nothing of the run")
	}

	res, err := loginClient(t, srv.URL, "manager", srv.DemoPassword).Get(srv.URL + "/imports/samples/clients.csv")
	if err != nil {
		t.Fatal(err)
	}
	sample, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("the sample file: %d %v", res.StatusCode, err)
	}
	file := filepath.Join(t.TempDir(), "clients.csv")
	if err := os.WriteFile(file, sample, 0o644); err != nil {
		t.Fatal(err)
	}
	page.Open(srv.URL + "/imports")
	page.Select(testid("u-dataset"), "clients")
	page.Upload(testid("u-file"), file)
	if status := page.Submit(testid("upload")); status != http.StatusOK || !strings.HasPrefix(page.Path(), "/imports/uploads/") {
		t.Fatalf("upload the sample: status %d, on %s", status, page.Path())
	}
	preview := page.Path()
	waitJS(t, page, `document.readyState === "complete"`, "the preview loaded")
	page.Click(testid("dry-run")) // check only: the demo's clients stay as they are
	if status := page.Submit(testid("import")); status != http.StatusOK || !regexp.MustCompile(`^/imports/jobs/\d+$`).MatchString(page.Path()) {
		t.Fatalf("check the sample: status %d, on %s", status, page.Path())
	}
	return []string{preview, page.Path()}
}

// operatorActs puts a dialog on the operator's screen as a working day does: she goes online in the console, and
// a client of the demo's simulated chats writes to the bank (through the simulator, as staff play clients).
func operatorActs(t *testing.T, page *browsertest.Page, srv *server, w *walked) []string {
	t.Helper()
	page.Open(srv.URL + "/console")
	goOnline(t, page)
	staff := loginClient(t, srv.URL, "operator1", srv.DemoPassword)
	res, err := staff.Get(srv.URL + "/sim/api/clients")
	if err != nil {
		t.Fatal(err)
	}
	var clients []struct {
		ID             int64
		Channel, Phone string
	}
	err = json.NewDecoder(res.Body).Decode(&clients)
	res.Body.Close()
	if err != nil {
		t.Fatalf("the simulator's clients: %v", err)
	}
	var chat string
	for _, c := range clients {
		if c.Channel == "telegram" && c.ID > 7_000_000_000 && c.Phone != "" { // a demo client linked to a lead
			chat = strconv.FormatInt(c.ID, 10)
			break
		}
	}
	if chat == "" {
		t.Fatalf("the simulator plays no client of the demo (%d clients)", len(clients))
	}
	w.operator, w.text = "operator1", "Здравствуйте! Какие документы нужны, чтобы открыть счёт?"
	consoleSimCall(t, staff, srv.URL, "POST", "/sim/api/chats/"+chat+"/text", map[string]string{"text": w.text}, nil)
	page.WaitText(testid("dialog-last"), w.text)
	w.conversation = evalString(t, page, `document.querySelector("[data-testid=dialog]").dataset.id`)
	return nil
}

// goOnline waits for the console to know the operator's presence and, unless she is online, clicks Online: a walk
// through other pages may outlast the heartbeat's grace, and her waiting dialog then comes back with her.
func goOnline(t *testing.T, page *browsertest.Page) {
	t.Helper()
	waitJS(t, page, `document.readyState === "complete" &&
		/presence-(online|away|offline)/.test(document.getElementById("presence-status").className)`, "the console's state")
	if !page.Has(`#presence-status.presence-online`) {
		page.Click(testid("presence-online"))
		waitJS(t, page, `document.getElementById("presence-status").classList.contains("presence-online")`, "the operator online")
	}
}

// walkConsole walks the operator's console with her dialog open, as she reads it: the chat beside the client's
// card, then the scripts, then the offers.
func walkConsole(t *testing.T, page *browsertest.Page, base, role, lang, shots string, w *walked) {
	t.Helper()
	if status := page.Open(base + "/console"); status != http.StatusOK {
		t.Errorf("%s %s /console: status %d", lang, role, status)
		return
	}
	goOnline(t, page)
	page.WaitText(`[data-direction=in] [data-testid=msg-text]`, w.text) // the only dialog opens by itself
	page.WaitText(testid("card-company"), "")
	checkPage(t, page, role+"-console", lang, shots)
	for _, tab := range []string{"scripts", "offers"} {
		page.Click(testid("tab-" + tab))
		page.WaitText(`#panel-`+tab+`:not([hidden]) [data-testid=`+strings.TrimSuffix(tab, "s")+`]`, "")
		checkPage(t, page, role+"-console-"+tab, lang, shots)
	}
}

// supervisorActs finds the pages a supervisor reaches from what happened: the operator's open dialog, read-only
// with its reassignment; the operator's own page from the live board; and the first dialog of the QA sample, with
// its review form.
func supervisorActs(t *testing.T, page *browsertest.Page, base string, w *walked) []string {
	t.Helper()
	var pages []string
	if w.conversation == "" {
		t.Fatal("the operator has no dialog for the supervisor to read")
	}
	open := "/live/dialogs/" + w.conversation
	page.Open(base + open)
	page.WaitText(`[data-testid=dialog-title]`, w.conversation)
	if !page.Has(testid("reassign-to")) {
		t.Errorf("the open dialog %s cannot be reassigned from its page", open)
	}
	page.Open(base + "/live")
	operator := firstMatch(hrefs(t, page, `a[href^="/live/operators/"]`), `^/live/operators/\d+$`)
	if operator == "" {
		t.Fatal("the live board links to no operator")
	}
	page.Open(base + "/reports")
	sample := firstMatch(hrefs(t, page, `a`+testid("reports-qa-sample")), `^/reports/dialogs\?`)
	if sample == "" {
		t.Fatal("the reports page links to no QA sample")
	}
	page.Open(base + sample)
	review := firstMatch(hrefs(t, page, `a`+testid("dialogs-open")), `^/live/dialogs/\d+`)
	if review == "" {
		t.Fatal("the QA sample has no dialog")
	}
	page.Open(base + review)
	if !page.Has(testid("qa-form")) {
		t.Errorf("the sample's dialog %s has no review form", review)
	}
	return append(pages, open, operator, review)
}
