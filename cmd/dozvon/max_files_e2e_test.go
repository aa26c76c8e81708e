package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
	"dozvon/messenger/max/maxfake"
)

// TestAMAXClientsPhotoAndDocumentReachTheConsole: Dozvon runs without tokens, so the simulator plays MAX's clients
// over MAX's Bot API (the built-in fake, over HTTP). A supervisor plays a client on MAX in /sim and sends a scan
// with a caption, then the company's charter, with the page's paperclip. The operator, in Russian, gets the dialog:
// the caption, the picture loaded from Dozvon's file route (MAX said no type; its bytes said PNG) and a link that
// downloads the charter under its name. No page holds the MAX bot's token.
func TestAMAXClientsPhotoAndDocumentReachTheConsole(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	srv := startServer(t, data) // no tokens: the simulator plays both messengers

	ctx := context.Background()
	pool := attachDatabase(t, data)
	const password = "Operators-own-pass-1"
	users := auth.NewStore(pool)
	for login, u := range map[string]struct {
		role   auth.Role
		locale string
	}{"irina": {auth.Operator, "ru"}, "sveta": {auth.Supervisor, "en"}} {
		if _, err := users.Create(ctx, auth.NewUser{Login: login, Role: u.role, Password: password, Locale: u.locale}); err != nil {
			t.Fatal(err)
		}
	}
	operator := browsertest.New(t)
	if status := operator.Login(srv.URL, "irina", password); status != http.StatusOK || operator.Path() != "/console" {
		t.Fatalf("operator login: status %d, on %s", status, operator.Path())
	}
	operator.Click(testid("presence-online"))
	operator.WaitText(testid("presence-status"), "На линии")

	dir := t.TempDir()
	var scan bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = 0xc0
	}
	img.Set(10, 10, color.Black)
	if err := png.Encode(&scan, img); err != nil {
		t.Fatal(err)
	}
	charter := "%PDF-1.7 Устав ООО «Ромашка»"
	scanFile, charterFile := filepath.Join(dir, "scan.png"), filepath.Join(dir, "устав.pdf")
	if err := os.WriteFile(scanFile, scan.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(charterFile, []byte(charter), 0o600); err != nil {
		t.Fatal(err)
	}

	// The supervisor plays a new client on MAX, who opens the bot and sends the scan with a caption, then the charter.
	sim := operator.Isolated()
	if status := sim.Login(srv.URL, "sveta", password); status != http.StatusOK {
		t.Fatalf("supervisor login: status %d", status)
	}
	sim.Open(srv.URL + "/sim")
	sim.Click(testid("sim-channel-max"))
	sim.Fill(testid("sim-first-name"), "Ирина")
	sim.Click(testid("sim-create"))
	sim.WaitText(testid("sim-channel-badge"), "MAX")
	sim.Click(testid("sim-start"))
	sim.WaitText(`[data-from=bot] [data-testid=sim-body]`, "Здравствуйте")
	sim.Fill(testid("sim-text"), "Скан паспорта директора")
	sim.Upload(testid("sim-file"), scanFile)
	sim.WaitText(`[data-from=client]:last-child [data-testid=sim-body]`, "Скан паспорта директора")
	sim.WaitText(`[data-from=client]:last-child [data-testid=sim-file-line]`, "📷 Photo")
	sim.Upload(testid("sim-file"), charterFile)
	sim.WaitText(`[data-from=client]:last-child [data-testid=sim-file-line]`, "📎 устав.pdf")

	// The operator gets the dialog, on MAX: the caption, the picture and the charter's link.
	operator.WaitText(`[data-direction=in] [data-testid=msg-text]`, "Скан паспорта директора")
	operator.WaitText(testid("chat-channel"), "MAX")
	var conv int64
	if err := pool.QueryRow(ctx, `SELECT c.id FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
		WHERE ct.channel = 'max'`).Scan(&conv); err != nil {
		t.Fatal(err)
	}
	files := "/console/api/dialogs/" + strconv.FormatInt(conv, 10) + "/files/"
	pictureLoaded(t, operator, `[data-testid=msg-image]`, files)
	operator.WaitText(testid("msg-file-link"), "📎 устав.pdf, 1 КБ")
	if got := download(t, operator, testid("msg-file-link"), files); got != charter {
		t.Errorf("the charter's link gives %q, want %q", got, charter)
	}
	for who, page := range map[string]*browsertest.Page{"operator": operator, "simulator": sim} {
		if html := evalString(t, page, `document.documentElement.outerHTML`); strings.Contains(html, maxfake.DefaultToken) {
			t.Errorf("the %s's page holds the MAX bot's token", who)
		}
	}
	pool.Close()
	stopCleanly(t, srv, data)
}
