package max_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"dozvon/messenger"
	"dozvon/messenger/max"
	"dozvon/messenger/max/maxfake"
)

// served starts fake on an HTTP server and returns a client of it.
func served(t *testing.T, fake *maxfake.Fake) *max.Client {
	t.Helper()
	return max.NewClient(fake.Token(), serve(t, fake), nil)
}

// serve starts fake on an HTTP server and returns its URL.
func serve(t *testing.T, fake *maxfake.Fake) string {
	t.Helper()
	srv := httptest.NewServer(fake)
	fake.SetURL(srv.URL) // the URLs of the files users send
	t.Cleanup(func() {
		fake.Close()
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL
}

// started adds a user who started the bot (the update acknowledged, as a bot would).
func started(t *testing.T, fake *maxfake.Fake, u maxfake.User) maxfake.User {
	t.Helper()
	u = fake.AddUser(u)
	if _, err := fake.Start(u.UserID, ""); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSendWithEachButtonTypeArrivesAsMAXsInlineKeyboard(t *testing.T) {
	fake := maxfake.New(maxfake.Options{})
	ch := max.Channel{Client: served(t, fake)}
	anna := started(t, fake, maxfake.User{FirstName: "Anna"})

	id, err := ch.Send(context.Background(), messenger.Message{Address: maxChat(anna.ChatID),
		Text: "<b>Анна</b>, счёт открыт &amp; готов: <a href=\"https://bank.example/a?b=1&amp;c=2\">карта</a>",
		Buttons: messenger.Markup{
			{{Text: "Да", Data: "c:1:0"}, {Text: "Нет", Data: "c:1:1"}},
			{{Text: "Сайт", URL: "https://bank.example"}},
			{{Text: "Поделиться номером", RequestContact: true}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent(anna.ChatID)
	if len(sent) != 1 {
		t.Fatalf("the dialog holds %d messages, want 1", len(sent))
	}
	m := sent[0]
	if want := `<b>Анна</b>, счёт открыт &amp; готов: <a href="https://bank.example/a?b=1&amp;c=2">карта</a>`; m.Body.Text != want || m.Format != "html" {
		t.Errorf("text %q in format %q, want %q in html", m.Body.Text, m.Format, want)
	}
	want := [][]maxfake.Button{
		{{Type: "callback", Text: "Да", Payload: "c:1:0"}, {Type: "callback", Text: "Нет", Payload: "c:1:1"}},
		{{Type: "link", Text: "Сайт", URL: "https://bank.example"}},
		{{Type: "request_contact", Text: "Поделиться номером"}},
	}
	if got := m.Keyboard(); !reflect.DeepEqual(got, want) {
		t.Errorf("keyboard %+v, want %+v", got, want)
	}
	if id != m.Body.Mid || id == "" {
		t.Errorf("Send returned %q, want the mid %q", id, m.Body.Mid)
	}
}

func TestSendMessageToAUserReturnsTheMid(t *testing.T) {
	fake := maxfake.New(maxfake.Options{})
	c := served(t, fake)
	boris := started(t, fake, maxfake.User{FirstName: "Boris"})
	mid, err := c.SendMessage(context.Background(), max.Recipient{UserID: boris.UserID},
		max.NewMessageBody{Text: "Здравствуйте"})
	if err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent(boris.ChatID)
	if len(sent) != 1 || sent[0].Body.Mid != mid || sent[0].Body.Text != "Здравствуйте" || mid == "" {
		t.Fatalf("got mid %q and dialog %+v", mid, sent)
	}
	if _, err := c.SendMessage(context.Background(), max.Recipient{ChatID: boris.ChatID, UserID: boris.UserID},
		max.NewMessageBody{Text: "x"}); err == nil {
		t.Fatal("a message to both a chat and a user was sent")
	}
}

func TestAPressedButtonIsAnsweredWithANotification(t *testing.T) {
	ctx := context.Background()
	fake := maxfake.New(maxfake.Options{})
	c := served(t, fake)
	vera := started(t, fake, maxfake.User{FirstName: "Вера"})
	mid, err := c.SendMessage(ctx, max.Recipient{ChatID: vera.ChatID}, max.NewMessageBody{Text: "Удобно?",
		Attachments: []max.AttachmentRequest{{Type: "inline_keyboard", Payload: max.KeyboardPayload{
			Buttons: [][]max.Button{{{Type: max.ButtonCallback, Text: "Да", Payload: "c:7:0"}}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	upd, err := fake.PressButton(vera.UserID, mid, "c:7:0")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(upd)
	e, err := max.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if e.Kind != max.KindCallback || e.Payload != "c:7:0" || e.Chat != (messenger.Chat{Address: maxChat(vera.ChatID), UserID: vera.UserID, FirstName: "Вера"}) {
		t.Fatalf("decoded %+v", e)
	}
	if err := c.AnswerCallback(ctx, e.CallbackID, "Спасибо!"); err != nil {
		t.Fatal(err)
	}
	if err := c.AnswerCallback(ctx, e.CallbackID, ""); err != nil {
		t.Fatal(err)
	}
	want := []maxfake.CallbackAnswer{{CallbackID: e.CallbackID, Notification: "Спасибо!", UserID: vera.UserID},
		{CallbackID: e.CallbackID, UserID: vera.UserID}}
	if got := fake.Answers(); !reflect.DeepEqual(got, want) {
		t.Fatalf("answers %+v, want %+v", got, want)
	}
}

func TestTypingShowsInTheDialog(t *testing.T) {
	fake := maxfake.New(maxfake.Options{})
	ch := max.Channel{Client: served(t, fake)}
	anna := started(t, fake, maxfake.User{FirstName: "Anna"})
	if err := ch.Typing(context.Background(), anna.ChatID); err != nil {
		t.Fatal(err)
	}
	if got := fake.Actions(anna.ChatID); len(got) != 1 || got[0].Action != "typing_on" {
		t.Fatalf("actions %+v", got)
	}
}

// Each refusal MAX answers with reaches the sender as the messenger error it acts on.
func TestMAXsRefusalsMapToMessengerErrors(t *testing.T) {
	ctx := context.Background()
	fake := maxfake.New(maxfake.Options{})
	url := serve(t, fake)
	c := max.NewClient(fake.Token(), url, nil)
	ch := max.Channel{Client: c}
	anna := started(t, fake, maxfake.User{FirstName: "Anna"})
	msg := messenger.Message{Address: maxChat(anna.ChatID), Text: "Здравствуйте"}
	retryAfter := func(err error) time.Duration {
		var ra *messenger.RetryAfterError
		if !errors.As(err, &ra) {
			return -1
		}
		return ra.After
	}

	fake.FailNext("POST /messages", 1, maxfake.Fault{Status: 429})
	if _, err := ch.Send(ctx, msg); retryAfter(err) != max.DefaultRetryAfter {
		t.Errorf("429 without Retry-After: %v, want a wait of %s", err, max.DefaultRetryAfter)
	}
	fake.FailNext("POST /messages", 1, maxfake.Fault{Status: 429, RetryAfter: 7})
	if _, err := ch.Send(ctx, msg); retryAfter(err) != 7*time.Second {
		t.Errorf("429 with Retry-After 7: %v", err)
	}
	fake.FailNext("POST /messages", 1, maxfake.Fault{Status: 503})
	if _, err := ch.Send(ctx, msg); retryAfter(err) != max.DefaultUnavailableWait {
		t.Errorf("503: %v, want a wait of %s", err, max.DefaultUnavailableWait)
	}
	fake.FailNext("POST /messages", 1, maxfake.Fault{Status: 502})
	if _, err := ch.Send(ctx, msg); err == nil || retryAfter(err) != -1 || errors.As(err, new(*messenger.PermanentError)) {
		t.Errorf("502: %v, want an error worth a retry", err)
	}

	if _, err := fake.StopBot(anna.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Send(ctx, msg); !errors.Is(err, messenger.ErrBlocked) {
		t.Errorf("a user who stopped the bot: %v, want ErrBlocked", err)
	}
	if err := ch.Typing(ctx, anna.ChatID); !errors.Is(err, messenger.ErrBlocked) {
		t.Errorf("typing to a user who stopped the bot: %v, want ErrBlocked", err)
	}
	fake.ForgetChat(anna.ChatID)
	if _, err := ch.Send(ctx, msg); !errors.Is(err, messenger.ErrChatNotFound) {
		t.Errorf("an unknown chat: %v, want ErrChatNotFound", err)
	}

	boris := started(t, fake, maxfake.User{FirstName: "Boris"})
	var permanent *messenger.PermanentError
	_, err := c.SendMessage(ctx, max.Recipient{ChatID: boris.ChatID}, max.NewMessageBody{Text: string(make([]rune, 4001))})
	if !errors.As(err, &permanent) || permanent.Reason != "max: POST /messages: 400 proto.payload text: size must be between 0 and 4000, got 4001" {
		t.Errorf("a text too long for MAX: %v", err)
	}
	_, err = max.NewClient("wrong-token", url, nil).Me(ctx)
	if !errors.As(err, &permanent) || permanent.Reason != "max: GET /me: 401 verify.token Invalid access_token" {
		t.Errorf("a wrong token: %v", err)
	}
}

// maxChat is a chat of a MAX bot as Decode gives it (the bot is the receiver's to fill in).
func maxChat(chatID int64) messenger.Address {
	return messenger.Address{Channel: messenger.MAX, ChatID: chatID}
}
