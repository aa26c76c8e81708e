package operatorui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"dozvon/campaigns"
	"dozvon/dialog"
	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
)

// rawCodes is every code the product stores that a card could show: lead, application and conversation statuses,
// lead kinds, products, application events and call results, outbox states, outcome kinds and sources, segments.
var rawCodes = []string{
	"missed_call", "follow_up", "acquiring", "new", "offered", "replied", "consented", "converted", "refused", "closed",
	"in_progress", "meeting_booked", "account_opened", "rejected", "call_attempt", "call_answered", "meeting_held",
	"acquiring_connected", "status_changed", "no_answer", "busy", "queued", "sending", "sent", "failed", "cancelled",
	"held", "rko", "consent", "refusal", "callback", "meeting", "operator", "client", "import", "micro", "site",
	"assigned", "waiting",
}

// In a real Chromium, at the widths a bank's operators work at, the client card reads in the operator's language:
// every status, kind, product and event in words, dates as that language writes them, the company's legal form
// once; the console fits the screen, with "Take next" inside its column and scripts one click away.
func TestTheClientCardSpeaksTheOperatorsLanguageAndTheConsoleFitsTheScreen(t *testing.T) {
	d := newConsoleDesk(t)
	ctx := context.Background()
	opID := d.ids[auth.Operator]
	c := d.chatWith("ООО «Спектр»")
	submitted := time.Date(2026, 2, 12, 9, 30, 0, 0, time.UTC)
	_, err := d.Pool.Exec(ctx, `
		WITH app AS (
		    INSERT INTO applications (external_id, client_id, product, status, channel, field_manager, submitted_at)
		    SELECT 'app-1', client_id, 'rko', 'meeting_booked', 'site', 'Алексей Смирнов', $2 FROM leads WHERE id = $1
		    RETURNING id
		), ev AS (
		    INSERT INTO application_events (application_id, kind, result, occurred_at)
		    SELECT id, 'call_attempt', 'no_answer', $2::timestamptz + interval '5 hours' FROM app
		)
		UPDATE clients SET segment = 'micro', company_name = 'ООО «Спектр»'
		WHERE id = (SELECT client_id FROM leads WHERE id = $1)`, c.LeadID, submitted)
	if err != nil {
		t.Fatal(err)
	}
	camp, err := d.Campaigns.Create(ctx, campaigns.Campaign{Name: "Недозвоны февраля", LeadKind: "missed_call",
		Template: campaigns.Template{Body: "Здравствуйте, {{.Company}}!"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `INSERT INTO outbox (campaign_id, lead_id, channel, bot_id, chat_id, text, state, created_at, sent_at)
		VALUES ($1, $2, 'telegram', $5, $3, 'Здравствуйте!', 'sent', $4, $4)`, camp.ID, c.LeadID, c.ChatID, submitted.AddDate(0, 0, 1), d.Bot.ID); err != nil {
		t.Fatal(err)
	}
	d.write(c, "Здравствуйте, что по заявке?")
	d.online(opID)
	convID, holder := d.convOf(c)
	if holder != opID {
		t.Fatalf("the dialog went to %d, want the operator", holder)
	}
	if _, err := d.Dialog.RecordOutcome(ctx, convID, opID, dialog.Outcome{Kind: dialog.OutcomeConsent, Product: "rko"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `UPDATE outcomes SET recorded_at = $1`, submitted.AddDate(0, 0, 2)); err != nil {
		t.Fatal(err)
	}

	page := browsertest.New(t)
	if status := page.Login(d.URL, "operator1", testPassword); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	for _, tc := range []struct {
		locale string
		want   []string
	}{
		{"ru", []string{"ООО «Спектр»", "Недозвоны · согласился", "12.02.2026 · РКО · назначена встреча · сайт · менеджер Алексей Смирнов",
			"12.02.2026 14:30 · Звонок (не ответил)", "13.02.2026 · Недозвоны февраля · доставлено", "РКО · 14.02.2026",
			"микробизнес", "Владивосток (UTC+10)", "Согласие · РКО"}},
		{"en", []string{"ООО «Спектр»", "Missed calls · consented", "02/12/2026 · Business account (RKO) · meeting booked · website · manager Алексей Смирнов",
			"02/12/2026 14:30 · Call attempt (no answer)", "02/13/2026 · Недозвоны февраля · delivered", "Business account (RKO) · 02/14/2026",
			"micro business", "Vladivostok (UTC+10)", "Consent · Business account (RKO)"}},
	} {
		if err := d.Users.SetLocale(ctx, opID, tc.locale); err != nil {
			t.Fatal(err)
		}
		for _, width := range []int64{1366, 1920} {
			setViewport(t, page, width, 768)
			page.Open(d.URL + "/console")
			page.WaitText(testidSel("card-company"), "Спектр")
			page.WaitText(testidSel("card"), tc.want[len(tc.want)-1])
			text := page.Text(testidSel("card"))
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%s at %d px: the card lacks %q:\n%s", tc.locale, width, w, text)
				}
			}
			if got := page.Text(testidSel("card-company")); got != "ООО «Спектр»" {
				t.Errorf("%s: the company is %q, want its legal form once", tc.locale, got)
			}
			for _, word := range strings.FieldsFunc(text, func(r rune) bool {
				return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
			}) {
				for _, raw := range rawCodes {
					// English labels are English words ("meeting booked", "new"): there a code is one with "_".
					if word == raw && (tc.locale == "ru" || strings.Contains(raw, "_")) {
						t.Errorf("%s at %d px: the card shows the raw code %q:\n%s", tc.locale, width, raw, text)
					}
				}
			}
			if strings.Contains(text, "PM") || strings.Contains(text, "AM") {
				t.Errorf("%s: a 12-hour time on the card:\n%s", tc.locale, text)
			}
			layout := evalJS[struct {
				Overflow              bool
				TakeNextLeft, ColLeft float64
				TakeNextRight         float64
				ColRight              float64
				ScriptsBelowFold      bool
			}](t, page, `(() => {
				const b = document.querySelector("[data-testid=take-next]").getBoundingClientRect();
				const col = document.querySelector(".col-list").getBoundingClientRect();
				const tab = document.querySelector("[data-testid=tab-scripts]").getBoundingClientRect();
				return {Overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth,
					TakeNextLeft: b.left, ColLeft: col.left, TakeNextRight: b.right, ColRight: col.right,
					ScriptsBelowFold: tab.bottom > window.innerHeight};
			})()`)
			if layout.Overflow {
				t.Errorf("%s at %d px: the console overflows horizontally", tc.locale, width)
			}
			if layout.TakeNextLeft < layout.ColLeft || layout.TakeNextRight > layout.ColRight {
				t.Errorf("%s at %d px: Take next spans %.0f-%.0f, outside its column %.0f-%.0f", tc.locale, width,
					layout.TakeNextLeft, layout.TakeNextRight, layout.ColLeft, layout.ColRight)
			}
			if layout.ScriptsBelowFold {
				t.Errorf("%s at %d px: the scripts' tab is below the fold", tc.locale, width)
			}
		}
	}
	// Scripts are one click away, in a panel of their own.
	page.Click(testidSel("tab-scripts"))
	if !page.Has("#panel-scripts:not([hidden])") || page.Has("#panel-card:not([hidden])") {
		t.Error("the scripts' tab does not show the scripts instead of the card")
	}
	if path, err := page.Screenshot("console-card-en-1920"); err == nil {
		t.Logf("screenshot: %s", path)
	}
}

func setViewport(t *testing.T, page *browsertest.Page, w, h int64) {
	t.Helper()
	if _, err := chromedp.Run(page.Ctx, chromedp.EmulateViewport(w, h)); err != nil {
		t.Fatalf("viewport %dx%d: %v", w, h, err)
	}
	// The times asserted are UTC's, whatever zone the machine is in.
	if _, err := chromedp.Run(page.Ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "UTC"})
		return err
	})); err != nil && !strings.Contains(err.Error(), "already in effect") {
		t.Fatalf("time zone: %v", err)
	}
}
