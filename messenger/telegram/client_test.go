package telegram_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"dozvon/messenger"
	"dozvon/messenger/telegram"
	"dozvon/messenger/telegram/tgfake"
)

// A client of the caller's own, here one with a timeout, takes http.Client.Do rather than the transport
// directly, and sends the same request.
func TestSendThroughACallersHTTPClientWithATimeout(t *testing.T) {
	for _, hc := range []*http.Client{nil, {Timeout: 5 * time.Second}} {
		fake := tgfake.New(tgfake.Options{})
		srv := httptest.NewServer(fake.Handler())
		c, err := telegram.NewClient(tgfake.DefaultToken, srv.URL, hc)
		if err != nil {
			t.Fatal(err)
		}
		u := fake.AddUser(tgfake.User{FirstName: "Анна"})
		if _, err := fake.Start(u.ID, ""); err != nil {
			t.Fatal(err)
		}
		to := messenger.Address{Channel: messenger.Telegram, BotID: 1, ChatID: u.ID}
		ref, err := c.Send(context.Background(), messenger.Message{Address: to, Text: "Здравствуйте, <b>Анна</b>"})
		if err != nil {
			t.Fatal(err)
		}
		got := fake.Requests()
		last := got[len(got)-1]
		// The client's /start is message 1 of the chat.
		if ref != "2" || last.Method != "sendMessage" || last.Params["text"] != "Здравствуйте, <b>Анна</b>" ||
			last.Params["parse_mode"] != "HTML" {
			t.Errorf("timeout %v: message ref %q, last request %+v", hc != nil, ref, last)
		}
		srv.Close()
	}
}
