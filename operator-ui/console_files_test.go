package operatorui_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"dozvon/internal/auth"
	"dozvon/messenger"
)

type consoleFileJSON struct {
	ID    int64  `json:"id"`
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	Size  int64  `json:"size"`
	State string `json:"state"`
	Image bool   `json:"image"`
	URL   string `json:"url"`
}

// sendFiles is the client sending files, as the messenger hands them to the dialog; the first ones given bytes
// are fetched already, the rest still loading.
func (d *consoleDesk) sendFiles(c consoleChat, caption string, files []messenger.RemoteFile, data ...[]byte) []messenger.Attachment {
	d.t.Helper()
	ctx := context.Background()
	update := d.update.Add(1)
	atts, err := d.Files.Register(ctx, d.Bot.ID, update, files)
	if err != nil {
		d.t.Fatal(err)
	}
	for i, b := range data {
		if err := d.Files.Save(ctx, atts[i].ID, bytes.NewReader(b)); err != nil {
			d.t.Fatal(err)
		}
	}
	err = d.Dialog.HandleInbound(ctx, messenger.Inbound{InboxID: update, Chat: d.chat(c.ChatID), Text: caption, Attachments: atts, At: time.Now()})
	if err != nil {
		d.t.Fatal(err)
	}
	return atts
}

func (d *consoleDesk) fetch(c *http.Client, path string) (*http.Response, []byte) {
	d.t.Helper()
	res, err := c.Get(d.URL + path)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

// The operator who has the dialog opens the client's photo (shown inline) and document (saved under its name, an
// SVG too: a browser would run its scripts); a file still loading is not served. Supervisors and administrators
// open them as they read any dialog; another operator does not, nor does anyone through another dialog.
func TestConsoleServesAClientsFilesToThoseWhoMayReadTheDialog(t *testing.T) {
	d := newConsoleDesk(t)
	op := d.loggedIn(auth.Operator)
	c := d.chatWith("ООО Ромашка")
	photo, svg := []byte("\xff\xd8\xff\xe0 jpeg"), []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)
	atts := d.sendFiles(c, "Вот скан и схема", []messenger.RemoteFile{
		{Kind: "photo", RemoteID: "p", Name: "photo.jpg", MIME: "image/jpeg", Size: int64(len(photo))},
		{Kind: "document", RemoteID: "s", Name: "схема офиса.svg", MIME: "image/svg+xml"},
		{Kind: "voice", RemoteID: "v", Name: "voice.ogg", MIME: "audio/ogg", Size: 4000},
	}, photo, svg)
	if code, raw := d.call(op, "POST", "/console/api/presence", map[string]string{"status": "online"}); code != 200 {
		t.Fatalf("go online: %d %s", code, raw)
	}
	convID, _ := d.convOf(c)
	base := fmt.Sprintf("/console/api/dialogs/%d/files/", convID)

	code, raw := d.call(op, "GET", fmt.Sprintf("/console/api/dialogs/%d", convID), nil)
	msgs := decode[struct {
		Messages []struct {
			Text        string            `json:"text"`
			Attachments []consoleFileJSON `json:"attachments"`
		} `json:"messages"`
	}](t, raw).Messages
	if code != 200 || len(msgs) != 1 || msgs[0].Text != "Вот скан и схема" {
		t.Fatalf("conversation: %d %s", code, raw)
	}
	want := []consoleFileJSON{
		{ID: atts[0].ID, Kind: "photo", Name: "photo.jpg", Size: int64(len(photo)), State: "ready", Image: true,
			URL: base + fmt.Sprint(atts[0].ID)},
		{ID: atts[1].ID, Kind: "document", Name: "схема офиса.svg", Size: int64(len(svg)), State: "ready",
			URL: base + fmt.Sprint(atts[1].ID)},
		{ID: atts[2].ID, Kind: "voice", Name: "voice.ogg", Size: 4000, State: "pending", URL: base + fmt.Sprint(atts[2].ID)},
	}
	if got := fmt.Sprintf("%+v", msgs[0].Attachments); got != fmt.Sprintf("%+v", want) {
		t.Fatalf("attachments:\n got %s\nwant %+v", got, want)
	}

	res, body := d.fetch(op, want[0].URL)
	if res.StatusCode != 200 || !bytes.Equal(body, photo) || res.Header.Get("Content-Type") != "image/jpeg" ||
		res.Header.Get("Content-Disposition") != `inline; filename=photo.jpg` ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" ||
		res.Header.Get("Content-Security-Policy") != "default-src 'none'; sandbox" {
		t.Fatalf("photo: %d %v %q", res.StatusCode, res.Header, body)
	}
	res, body = d.fetch(op, want[1].URL)
	if res.StatusCode != 200 || !bytes.Equal(body, svg) || res.Header.Get("Content-Type") != "application/octet-stream" ||
		res.Header.Get("Content-Disposition") != `attachment; filename*=utf-8''%D1%81%D1%85%D0%B5%D0%BC%D0%B0%20%D0%BE%D1%84%D0%B8%D1%81%D0%B0.svg` {
		t.Fatalf("document: %d %v %q", res.StatusCode, res.Header, body)
	}
	if res, _ := d.fetch(op, want[2].URL); res.StatusCode != http.StatusNotFound {
		t.Fatalf("a file still loading: %d, want 404", res.StatusCode)
	}

	for _, role := range []auth.Role{auth.Supervisor, auth.Admin} {
		if res, body := d.fetch(d.loggedIn(role), want[0].URL); res.StatusCode != 200 || !bytes.Equal(body, photo) {
			t.Errorf("%s: %d", role, res.StatusCode)
		}
	}
	if res, _ := d.fetch(d.loggedIn(auth.Manager), want[0].URL); res.StatusCode != http.StatusForbidden {
		t.Errorf("manager: %d, want 403", res.StatusCode)
	}
	if _, err := d.Users.Create(context.Background(), auth.NewUser{Login: "operator2", Role: auth.Operator,
		Password: testPassword, Locale: "en"}); err != nil {
		t.Fatal(err)
	}
	if res, _ := d.fetch(d.loginAs(d.URL, "operator2"), want[0].URL); res.StatusCode != http.StatusForbidden {
		t.Errorf("another operator: %d, want 403", res.StatusCode)
	}

	// A file of this dialog asked for through another dialog the operator has is not found there.
	other := d.chatWith("ИП Петров")
	d.write(other, "Добрый день")
	otherID, holder := d.convOf(other)
	if holder != d.ids[auth.Operator] {
		t.Fatalf("the second dialog went to %d", holder)
	}
	path := fmt.Sprintf("/console/api/dialogs/%d/files/%d", otherID, atts[0].ID)
	if res, body := d.fetch(op, path); res.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "No such file") {
		t.Errorf("through another dialog: %d %s", res.StatusCode, body)
	}
}
