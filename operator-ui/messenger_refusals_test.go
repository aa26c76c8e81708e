package operatorui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"dozvon/internal/auth"
	"dozvon/messenger"
	"dozvon/messenger/max/maxfake"
	"dozvon/messenger/telegram"
)

// englishLeft is the English a Russian text still holds once the names it may quote are taken out (the messenger,
// the API call, MAX's error key, getFile): none, or the words that leaked.
func englishLeft(text string, quoted ...string) []string {
	for _, q := range quoted {
		text = strings.ReplaceAll(text, q, "")
	}
	return regexp.MustCompile(`[A-Za-z]{2,}`).FindAllString(text, -1)
}

// MAX refuses an operator's answer (400, then 403 as the client stopped the bot): the console of an operator who
// reads Russian says why in Russian — MAX's error key quoted, never MAX's English message — and in English for one
// who reads English.
func TestTheConsoleSaysMAXsRefusalsInTheOperatorsLanguage(t *testing.T) {
	s, fake := newMaxSimSite(t)
	ctx := context.Background()
	op := s.loggedIn(auth.Operator)
	opID := s.ids[auth.Operator]
	if err := s.Users.SetLocale(ctx, opID, "ru"); err != nil {
		t.Fatal(err)
	}
	if code, raw := s.call(op, http.MethodPost, "/console/api/presence", map[string]string{"status": "online"}); code != http.StatusOK {
		t.Fatalf("online: %d %s", code, raw)
	}
	boris := fake.AddUser(maxfake.User{FirstName: "Борис"})
	if _, err := fake.Start(boris.UserID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.SendText(boris.UserID, "Здравствуйте"); err != nil {
		t.Fatal(err)
	}
	var conv int64
	waitFor(t, "Boris's dialog with the operator, and the bot done writing", func() bool {
		var queued int
		_ = s.Pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')`).Scan(&queued)
		err := s.Pool.QueryRow(ctx, `SELECT cv.id FROM conversations cv JOIN contacts ct ON ct.id = cv.contact_id
			WHERE ct.channel = 'max' AND cv.operator_id = $1`, opID).Scan(&conv)
		return err == nil && queued == 0 && len(fake.Sent(boris.ChatID)) >= 2
	})
	path := fmt.Sprintf("/console/api/dialogs/%d", conv)
	// lastError is the delivery error of the operator's last answer, once the sender gave up on it.
	lastError := func() string {
		var got string
		waitFor(t, "the answer failed", func() bool {
			_, raw := s.call(op, http.MethodGet, path, nil)
			msgs := decode[struct{ Messages []consoleMsg }](t, raw).Messages
			m := msgs[len(msgs)-1]
			got = m.DeliveryError
			return m.Direction == "out" && m.Delivery == "failed"
		})
		return got
	}
	for _, tc := range []struct {
		fault       maxfake.Fault
		ru, en, key string
	}{
		{maxfake.Fault{Status: 400, Code: "proto.payload", Message: "text: size must be between 0 and 4000"},
			"MAX отклонил запрос POST /messages (400 proto.payload)", "MAX refused POST /messages (400 proto.payload)", "proto.payload"},
		{maxfake.Fault{Status: 403, Code: "chat.denied", Message: "error.dialog.suspended"},
			"клиент остановил бота или удалил диалог в MAX (POST /messages: chat.denied)",
			"the client stopped the bot or deleted the dialog in MAX (POST /messages: chat.denied)", "chat.denied"},
	} {
		fake.FailNext("POST /messages", 1, tc.fault)
		if code, raw := s.call(op, http.MethodPost, path+"/reply", map[string]string{"text": "Добрый день"}); code != http.StatusCreated {
			t.Fatalf("reply: %d %s", code, raw)
		}
		if err := s.Users.SetLocale(ctx, opID, "ru"); err != nil {
			t.Fatal(err)
		}
		got := lastError()
		if got != tc.ru {
			t.Errorf("in Russian the console says %q, want %q", got, tc.ru)
		}
		if left := englishLeft(got, "MAX", "POST /messages", tc.key); len(left) > 0 {
			t.Errorf("English in the Russian console: %v in %q", left, got)
		}
		if err := s.Users.SetLocale(ctx, opID, "en"); err != nil {
			t.Fatal(err)
		}
		if got := lastError(); got != tc.en {
			t.Errorf("in English the console says %q, want %q", got, tc.en)
		}
	}
}

// Telegram will not give a client's file (getFile: 400, an id it does not know): the file is given up, and the
// console says why in the operator's language, without Telegram's English.
func TestTheConsoleSaysWhyTelegramGaveNoFileInTheOperatorsLanguage(t *testing.T) {
	d := newConsoleDesk(t)
	ctx := context.Background()
	op := d.loggedIn(auth.Operator)
	opID := d.ids[auth.Operator]
	c := d.chatWith("ООО Лютик")
	atts, err := d.Files.Register(ctx, d.Bot.ID, 9001, []messenger.RemoteFile{{Kind: "document", RemoteID: "BQACAgIAAxkBAAI-gone", Name: "устав.pdf"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Dialog.HandleInbound(ctx, messenger.Inbound{InboxID: 9001, Chat: d.chat(c.ChatID), Text: "Вот устав",
		Attachments: atts, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	d.online(opID)
	api := httptest.NewServer(d.Sim.Handler())
	t.Cleanup(api.Close)
	client, err := telegram.NewClient(d.Sim.Token(), api.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	fctx, stop := context.WithCancel(ctx)
	fetcher := &messenger.Fetcher{Open: client.OpenFile, Bot: d.Bot.ID, Files: d.Files, Log: zerolog.Nop()}
	done := make(chan struct{})
	go func() { defer close(done); _ = fetcher.Run(fctx) }()
	waitFor(t, "the file given up", func() bool {
		f, err := d.Files.Get(ctx, atts[0].ID)
		return err == nil && f.State == messenger.FileFailed
	})
	stop()
	<-done

	convID, _ := d.convOf(c)
	type attachment struct{ State, Reason string }
	for locale, want := range map[string]string{"ru": "Telegram отказался отдать файл (getFile)", "en": "Telegram refused to give the file (getFile)"} {
		if err := d.Users.SetLocale(ctx, opID, locale); err != nil {
			t.Fatal(err)
		}
		_, raw := d.call(op, http.MethodGet, fmt.Sprintf("/console/api/dialogs/%d", convID), nil)
		var got []attachment
		for _, m := range decode[struct {
			Messages []struct{ Attachments []attachment }
		}](t, raw).Messages {
			got = append(got, m.Attachments...)
		}
		if len(got) != 1 || got[0] != (attachment{"failed", want}) {
			t.Errorf("%s: the console shows %+v, want the file failed because %q", locale, got, want)
		}
		if left := englishLeft(got[0].Reason, "Telegram", "getFile"); locale == "ru" && len(left) > 0 {
			t.Errorf("English in the Russian console: %v", left)
		}
	}
}
