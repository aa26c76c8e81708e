package operatorui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dozvon/internal/auth"
	"dozvon/internal/browsertest"
)

// The banners a Telegram chat shows under deny, in each language: why the operator cannot answer, what to do.
var closedBanner = map[string]string{
	"en": "You cannot answer in this chat: the bank does not write to clients on Telegram, a foreign messenger (Federal Law 41-FZ, the installation's policy). What the client writes here still reaches you. Reach them another way: on MAX, if they have a chat there (the client card lists their chats), or by phone.",
	"ru": "Ответить в этом чате нельзя: банк не пишет клиентам в Telegram — это иностранный мессенджер (Федеральный закон № 41-ФЗ, настройки установки). Сообщения клиента отсюда по-прежнему приходят вам. Свяжитесь с клиентом иначе: в MAX, если у него там есть чат (чаты клиента — в карточке), или по телефону.",
}

// setForeign saves the foreign-messenger policy as an administrator does.
func (d *consoleDesk) setForeign(policy string) {
	d.t.Helper()
	res := d.post(d.loggedIn(auth.Admin), "/admin/settings", url.Values{"enabled": {"max", "telegram"}, "foreign_messengers": {policy}})
	if res.StatusCode != http.StatusSeeOther {
		d.t.Fatalf("save the policy %s: %d", policy, res.StatusCode)
	}
}

// Under deny, the operator's Telegram dialog carries the banner, in the operator's language; under allow, none.
func TestATelegramDialogUnderDenySaysWhyNobodyAnswersThere(t *testing.T) {
	d := newConsoleDesk(t)
	ctx := context.Background()
	op := d.loggedIn(auth.Operator)
	opID := d.ids[auth.Operator]
	c := d.chatWith("ООО Лютик")
	d.write(c, "Интересно")
	d.online(opID)
	convID, holder := d.convOf(c)
	if holder != opID {
		t.Fatalf("the dialog went to %d, want the operator", holder)
	}
	path := fmt.Sprintf("/console/api/dialogs/%d", convID)
	type dialogJSON struct {
		Mine          bool   `json:"mine"`
		ChannelClosed string `json:"channel_closed"`
	}
	d.setForeign("deny")
	for _, locale := range []string{"en", "ru"} {
		if err := d.Users.SetLocale(ctx, opID, locale); err != nil {
			t.Fatal(err)
		}
		code, raw := d.call(op, http.MethodGet, path, nil)
		if got := decode[dialogJSON](t, raw); code != http.StatusOK || !got.Mine || got.ChannelClosed != closedBanner[locale] {
			t.Errorf("%s, under deny: %d %s", locale, code, raw)
		}
	}
	d.setForeign("allow")
	code, raw := d.call(op, http.MethodGet, path, nil)
	if got := decode[dialogJSON](t, raw); code != http.StatusOK || got.ChannelClosed != "" || strings.Contains(raw, "channel_closed") {
		t.Errorf("under allow: %d %s, want no banner", code, raw)
	}
}

// In the browser: under deny the banner stands above the composer and the reply box is disabled, in Russian and in
// English; a note for colleagues can still be written; under allow the banner is gone and the operator answers.
func TestTheConsoleShowsTheDenyBannerAndDisablesTheReply(t *testing.T) {
	d := newConsoleDesk(t)
	ctx := context.Background()
	opID := d.ids[auth.Operator]
	c := d.chatWith("ООО Лютик")
	d.write(c, "Интересно")
	d.online(opID)
	d.setForeign("deny")
	page := browsertest.New(t)
	if status := page.Login(d.URL, "operator1", testPassword); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	type composer struct{ ReplyDisabled, SendDisabled, BannerHidden bool }
	state := func() composer {
		return evalJS[composer](t, page, `({ReplyDisabled: document.querySelector("[data-testid=reply-text]").disabled,
			SendDisabled: document.querySelector("[data-testid=send]").disabled,
			BannerHidden: document.querySelector("[data-testid=chat-closed]").hidden})`)
	}
	for _, locale := range []string{"ru", "en"} {
		if err := d.Users.SetLocale(ctx, opID, locale); err != nil {
			t.Fatal(err)
		}
		page.Open(d.URL + "/console")
		page.WaitText(testidSel("messages"), "Интересно")
		if got := page.WaitText(testidSel("chat-closed"), closedBanner[locale][:40]); got != closedBanner[locale] {
			t.Errorf("%s: the banner reads %q", locale, got)
		}
		if got := state(); got != (composer{ReplyDisabled: true, SendDisabled: true}) {
			t.Errorf("%s, under deny: %+v, want the reply and Send disabled below a shown banner", locale, got)
		}
		page.Click(testidSel("mode-note"))
		if got := state(); got.ReplyDisabled || got.SendDisabled {
			t.Errorf("%s: a note cannot be written under deny: %+v", locale, got)
		}
		page.Click(testidSel("mode-reply"))
	}
	d.setForeign("allow")
	page.Open(d.URL + "/console")
	page.WaitText(testidSel("messages"), "Интересно")
	waitFor(t, "the composer open again", func() bool { return state() == composer{BannerHidden: true} })
}
