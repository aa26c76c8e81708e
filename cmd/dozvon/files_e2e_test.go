package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
	"dozvon/messenger/telegram/tgfake"
)

// TestOperatorAndSupervisorOpenAClientsPhotoAndDocument: Dozvon runs against a Bot API (tgfake, over HTTP, as a
// local Bot API server would be) and a client sends a photo with a caption, then a document. The operator's console
// shows the caption, the picture loaded from Dozvon's file route and a link that downloads the document; the
// supervisor's read-only view of the dialog shows them too. Neither page holds the bot token.
func TestOperatorAndSupervisorOpenAClientsPhotoAndDocument(t *testing.T) {
	t.Parallel()
	fake := tgfake.New(tgfake.Options{Flood: tgfake.FloodLimits{Disabled: true}})
	api := httptest.NewServer(fake.Handler())
	t.Cleanup(func() { fake.Close(); api.CloseClientConnections(); api.Close() })
	data := newDataDir(t)
	srv := startServer(t, data, "TELEGRAM_BOT_TOKEN="+tgfake.DefaultToken, "TELEGRAM_API_URL="+api.URL)

	ctx := context.Background()
	pool := attachDatabase(t, data)
	const password = "Operators-own-pass-1"
	users := auth.NewStore(pool)
	for login, role := range map[string]auth.Role{"irina": auth.Operator, "sveta": auth.Supervisor} {
		if _, err := users.Create(ctx, auth.NewUser{Login: login, Role: role, Password: password, Locale: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	operator := browsertest.New(t)
	if status := operator.Login(srv.URL, "irina", password); status != http.StatusOK || operator.Path() != "/console" {
		t.Fatalf("operator login: status %d, on %s", status, operator.Path())
	}
	operator.Click(testid("presence-online"))
	operator.WaitText(testid("presence-status"), "Online")

	// The client starts the bot, then sends a scan with a caption and the company's charter.
	var scan bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = 0xc0
	}
	img.Set(10, 10, color.Black)
	if err := jpeg.Encode(&scan, img, nil); err != nil {
		t.Fatal(err)
	}
	charter := "%PDF-1.7 Устав ООО «Ромашка»"
	client := fake.AddUser(tgfake.User{FirstName: "Ирина"})
	for _, send := range []func() (tgfake.Update, error){
		func() (tgfake.Update, error) { return fake.Start(client.ID, "") },
		func() (tgfake.Update, error) {
			return fake.SendPhoto(client.ID, scan.Bytes(), 64, 48, "Скан паспорта директора")
		},
		func() (tgfake.Update, error) {
			return fake.SendDocument(client.ID, "устав.pdf", "application/pdf", []byte(charter), "")
		},
	} {
		if _, err := send(); err != nil {
			t.Fatal(err)
		}
	}

	// The operator gets the dialog: the caption, the picture and the document's link.
	operator.WaitText(`[data-direction=in] [data-testid=msg-text]`, "Скан паспорта директора")
	var conv int64
	if err := pool.QueryRow(ctx, `SELECT c.id FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
		WHERE ct.chat_id = $1`, client.ID).Scan(&conv); err != nil {
		t.Fatal(err)
	}
	files := "/console/api/dialogs/" + strconv.FormatInt(conv, 10) + "/files/"
	pictureLoaded(t, operator, `[data-testid=msg-image]`, files)
	operator.WaitText(testid("msg-file-link"), "📎 устав.pdf, 1 KB")
	if got := download(t, operator, testid("msg-file-link"), files); got != charter {
		t.Errorf("the document's link gives %q, want %q", got, charter)
	}

	// The supervisor's read-only view of the dialog shows the same.
	supervisor := operator.Isolated()
	if status := supervisor.Login(srv.URL, "sveta", password); status != http.StatusOK {
		t.Fatalf("supervisor login: status %d", status)
	}
	if status := supervisor.Open(srv.URL + "/live/dialogs/" + strconv.FormatInt(conv, 10)); status != http.StatusOK {
		t.Fatalf("the dialog's page: status %d", status)
	}
	supervisor.WaitText(`[data-from=in] [data-testid=dialog-message-body]`, "Скан паспорта директора")
	pictureLoaded(t, supervisor, `[data-testid=dialog-file] img`, files)
	supervisor.WaitText(`[data-testid=dialog-file] a[download]`, "📎 устав.pdf, 1 KB")
	if got := download(t, supervisor, `[data-testid=dialog-file] a[download]`, files); got != charter {
		t.Errorf("the supervisor's link gives %q, want %q", got, charter)
	}

	for who, page := range map[string]*browsertest.Page{"operator": operator, "supervisor": supervisor} {
		if html := evalString(t, page, `document.documentElement.outerHTML`); strings.Contains(html, tgfake.DefaultToken) {
			t.Errorf("the %s's page holds the bot token", who)
		}
	}
	if n := fake.Calls("getFile"); n != 2 {
		t.Errorf("%d getFile calls, want one per file", n)
	}
	pool.Close()
	stopCleanly(t, srv, data)
}

// pictureLoaded waits until the image that selector finds is loaded, 64×48 as sent, from Dozvon's file route.
func pictureLoaded(t *testing.T, page *browsertest.Page, selector, route string) {
	t.Helper()
	waitJS(t, page, `(() => { const i = document.querySelector(`+strconv.Quote(selector)+`);
		return !!i && i.complete && i.naturalWidth === 64 && i.naturalHeight === 48 &&
			i.getAttribute("src").startsWith(`+strconv.Quote(route)+`); })()`, "the picture "+selector)
}

// download follows the link that selector finds as the page's own session would, and returns what it gives.
func download(t *testing.T, page *browsertest.Page, selector, route string) string {
	t.Helper()
	href := evalString(t, page, `document.querySelector(`+strconv.Quote(selector)+`).getAttribute("href")`)
	if !strings.HasPrefix(href, route) {
		t.Fatalf("the link goes to %q, want Dozvon's file route %s…", href, route)
	}
	ctx, cancel := context.WithTimeout(page.Ctx, 10*time.Second)
	defer cancel()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+strconv.Quote(href)+`).then(r => r.ok ? r.text() : "HTTP " + r.status)`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func evalString(t *testing.T, page *browsertest.Page, js string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(page.Ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
