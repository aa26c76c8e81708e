package telegram_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/rs/zerolog"

	"dozvon/internal/pg/pgtest"
	"dozvon/messenger/telegram"
	"dozvon/messenger/telegram/tgfake"
)

// service starts the Telegram channel as `dozvon serve` does, with publicURL ("" for long polling).
func (w *world) service(publicURL string) *telegram.Service {
	w.t.Helper()
	svc, err := telegram.NewService(w.ctx, telegram.ServiceConfig{Token: tgfake.DefaultToken, APIURL: w.apiURL,
		PublicURL: publicURL, Pool: w.pool, Log: zerolog.Nop()})
	if err != nil {
		w.t.Fatal(err)
	}
	return svc
}

// Without a public URL (long polling, and the simulator) nobody may post updates: there is no webhook to post
// to. The simulator's token is in the source, so a secret derived from it would let anyone inject messages.
func TestNoWebhookWithoutAPublicURL(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	if h := w.service("").WebhookHandler(); h != nil {
		t.Fatal("a webhook handler exists without a public URL")
	}
}

// The webhook's secret is random, made once and shared through PostgreSQL: the instance that registered it with
// setWebhook and another behind the same balancer both accept Telegram's deliveries, and nobody can work it out
// from the bot token. Another installation (another database) has another secret.
func TestWebhookSecretIsRandomSharedByInstancesAndRegistered(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	var second http.HandlerFunc
	public := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != telegram.WebhookPath {
			http.NotFound(rw, r)
			return
		}
		second(rw, r) // the balancer sends every delivery to the second instance
	}))
	defer public.Close()
	first := w.service(public.URL)
	second = w.service(public.URL).WebhookHandler()

	secret, err := telegram.WebhookSecret(w.ctx, w.pool, tgfake.DefaultToken)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte(tgfake.DefaultToken))
	mac.Write([]byte("dozvon webhook secret"))
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(secret) || secret == hex.EncodeToString(mac.Sum(nil))[:48] {
		t.Fatalf("secret %q: not 32 random bytes, or derived from the token", secret)
	}
	other := pgtest.NewDB(t)
	if elsewhere, err := telegram.WebhookSecret(w.ctx, other, tgfake.DefaultToken); err != nil || elsewhere == secret {
		t.Fatalf("another installation's secret %q (%v) is the same", elsewhere, err)
	}

	// Telegram (the fake) delivers a client's message with the secret setWebhook registered.
	if w.fake.WebhookURL() != public.URL+telegram.WebhookPath {
		t.Fatalf("webhook registered at %q", w.fake.WebhookURL())
	}
	u := w.fake.AddUser(tgfake.User{FirstName: "Игорь"})
	if _, err := w.fake.SendText(u.ID, "Здравствуйте"); err != nil {
		t.Fatal(err)
	}
	w.eventually("the delivery is stored by the second instance", func() bool { return w.pendingUpdates() == 1 })

	// Someone who guesses the old derived secret is refused by both.
	post := func(h http.HandlerFunc, secret string) int {
		r := httptest.NewRequest(http.MethodPost, telegram.WebhookPath, bytes.NewReader([]byte(`{"update_id": 5}`)))
		r.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		rec := httptest.NewRecorder()
		h(rec, r)
		return rec.Code
	}
	for _, h := range []http.HandlerFunc{first.WebhookHandler(), second} {
		if code := post(h, hex.EncodeToString(mac.Sum(nil))[:48]); code != http.StatusUnauthorized {
			t.Errorf("the token-derived secret: %d, want 401", code)
		}
	}
}
