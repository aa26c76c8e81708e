package tgfake

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func getUpdates(t *testing.T, f *Fake, base string, params map[string]any) []json.RawMessage {
	t.Helper()
	status, resp, raw := callJSON(t, base, f.Token(), "getUpdates", params)
	if status != 200 {
		t.Fatalf("getUpdates = %d %s", status, raw)
	}
	return mustDecode[[]json.RawMessage](t, resp.Result)
}

func TestLongPollAndOffset(t *testing.T) {
	f, base := newServed(t, Options{Clock: NewManualClock(t0)})
	u := f.AddUser(User{FirstName: "Anna", LastName: "K", Username: "anna", LanguageCode: "ru"})

	// The poll must block until an update arrives, not return empty.
	got := make(chan []json.RawMessage, 1)
	go func() { got <- getUpdates(t, f, base, map[string]any{"timeout": 10}) }()
	if err := f.WaitUntil(ctxTimeout(t), func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.pollGen == 1
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Start(u.ID, "ref_42"); err != nil {
		t.Fatal(err)
	}
	first := <-got
	wantStart := `{"update_id":1,"message":{"message_id":1,` +
		`"from":{"id":100000001,"is_bot":false,"first_name":"Anna","last_name":"K","username":"anna","language_code":"ru"},` +
		`"chat":{"id":100000001,"type":"private","first_name":"Anna","last_name":"K","username":"anna"},` +
		`"date":1700000000,"text":"/start ref_42","entities":[{"type":"bot_command","offset":0,"length":6}]}}`
	if len(first) != 1 || string(first[0]) != wantStart {
		t.Fatalf("long poll returned %s\nwant [%s]", first, wantStart)
	}

	if _, err := f.SendText(u.ID, "  hello /help  "); err != nil {
		t.Fatal(err)
	}
	// Without an offset nothing is confirmed: both updates come back.
	all := getUpdates(t, f, base, nil)
	if len(all) != 2 || string(all[0]) != wantStart {
		t.Fatalf("getUpdates = %s", all)
	}
	second := mustDecode[Update](t, all[1])
	if second.UpdateID != 2 || second.Message.Text != "hello /help" ||
		mustJSON(t, second.Message.Entities) != `[{"type":"bot_command","offset":6,"length":5}]` {
		t.Errorf("second update = %s", all[1])
	}
	// limit caps the batch.
	if got := getUpdates(t, f, base, map[string]any{"limit": 1}); len(got) != 1 || string(got[0]) != wantStart {
		t.Errorf("limit 1 = %s", got)
	}
	// offset confirms everything below it, for good.
	if got := getUpdates(t, f, base, map[string]any{"offset": 2}); len(got) != 1 || mustDecode[Update](t, got[0]).UpdateID != 2 {
		t.Errorf("offset 2 = %s", got)
	}
	if got := getUpdates(t, f, base, map[string]any{"offset": 3}); len(got) != 0 {
		t.Errorf("offset 3 = %s", got)
	}
	if got := getUpdates(t, f, base, nil); len(got) != 0 {
		t.Errorf("confirmed updates came back: %s", got)
	}
	if n := len(f.PendingUpdates()); n != 0 {
		t.Errorf("PendingUpdates = %d", n)
	}

	// A short timeout with nothing to deliver returns an empty list.
	start := time.Now()
	if got := getUpdates(t, f, base, map[string]any{"offset": 3, "timeout": 1}); len(got) != 0 {
		t.Errorf("empty poll = %s", got)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("poll with timeout 1 returned after %v", d)
	}
}

func TestSecondPollerConflicts(t *testing.T) {
	f, base := newServed(t, Options{})
	got := make(chan apiResponse, 1)
	go func() {
		_, resp, _ := callJSON(t, base, f.Token(), "getUpdates", map[string]any{"timeout": 10})
		got <- resp
	}()
	if err := f.WaitUntil(ctxTimeout(t), func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.pollGen == 1
	}); err != nil {
		t.Fatal(err)
	}
	getUpdates(t, f, base, nil)
	resp := <-got
	if resp.ErrorCode != 409 || resp.Description != errPollConflict.Description {
		t.Errorf("first poller got %+v", resp)
	}
	getUpdates(t, f, base, nil) // one after the other: no overlap
	if n := f.PollOverlaps(); n != 1 {
		t.Errorf("%d overlapping polls counted, want 1", n)
	}
}

func TestCallbackButtons(t *testing.T) {
	f, base := newServed(t, Options{Clock: NewManualClock(t0), Flood: FloodLimits{Disabled: true}})
	u := startedUser(t, f, User{FirstName: "Anna"})
	tok := f.Token()
	_, resp, _ := callJSON(t, base, tok, "sendMessage", map[string]any{"chat_id": u.ID, "text": "Confirm?",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{
			{"text": "Yes", "callback_data": "confirm:yes"}, {"text": "Help", "url": "https://example.com"},
		}}}})
	msgID := mustDecode[Message](t, resp.Result).MessageID

	upd, err := f.PressButton(u.ID, msgID, "confirm:yes")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"update_id":2,"callback_query":{"id":"4000000000000000001",` +
		`"from":{"id":100000001,"is_bot":false,"first_name":"Anna"},` +
		`"message":{"message_id":2,"from":{"id":1000000001,"is_bot":true,"first_name":"Fake Bot","username":"fake_bot"},` +
		`"chat":{"id":100000001,"type":"private","first_name":"Anna"},"date":1700000000,"text":"Confirm?",` +
		`"reply_markup":{"inline_keyboard":[[{"text":"Yes","callback_data":"confirm:yes"},{"text":"Help","url":"https://example.com"}]]}},` +
		`"chat_instance":"` + chatInstance(f.bot.ID, u.ID) + `","data":"confirm:yes"}}`
	if got := mustJSON(t, upd); got != want {
		t.Errorf("callback update = %s\nwant %s", got, want)
	}
	// The same bytes reach the bot through getUpdates.
	if got := getUpdates(t, f, base, map[string]any{"offset": 2}); len(got) != 1 || string(got[0]) != want {
		t.Errorf("getUpdates = %s", got)
	}

	for _, tc := range []struct {
		name string
		msg  int
		data string
		want error
	}{
		{"no such data", msgID, "confirm:no", ErrNoSuchButton},
		{"url button has no data", msgID, "", ErrNoSuchButton},
		{"user's own message", 1, "confirm:yes", ErrNoSuchButton},
		{"no such message", 99, "confirm:yes", ErrNoSuchMessage},
	} {
		if _, err := f.PressButton(u.ID, tc.msg, tc.data); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}

	status, _, raw := callJSON(t, base, tok, "answerCallbackQuery", map[string]any{"callback_query_id": upd.CallbackQuery.ID, "text": "Done", "show_alert": true})
	if status != 200 || string(raw) != `{"ok":true,"result":true}` {
		t.Errorf("answerCallbackQuery = %d %s", status, raw)
	}
	_, resp, _ = callJSON(t, base, tok, "answerCallbackQuery", map[string]any{"callback_query_id": upd.CallbackQuery.ID})
	if resp.ErrorCode != 400 || resp.Description != "Bad Request: query is too old and response timeout expired or query ID is invalid" {
		t.Errorf("second answer = %+v", resp)
	}
	wantAns := []CallbackAnswer{{QueryID: "4000000000000000001", UserID: u.ID, MessageID: msgID, Data: "confirm:yes", Text: "Done", ShowAlert: true, Time: t0}}
	if got := f.CallbackAnswers(); !reflect.DeepEqual(got, wantAns) {
		t.Errorf("CallbackAnswers = %+v", got)
	}
}

func TestContactSharing(t *testing.T) {
	f, base := newServed(t, Options{Clock: NewManualClock(t0)})
	u := startedUser(t, f, User{FirstName: "Anna", LastName: "K", Phone: "+79990001122"})
	other := f.AddUser(User{FirstName: "Boris"})

	own, err := f.ShareContact(u.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := mustJSON(t, own.Message.Contact); got != `{"phone_number":"+79990001122","first_name":"Anna","last_name":"K","user_id":100000001}` {
		t.Errorf("own contact = %s", got)
	}
	foreign, err := f.ShareForeignContact(u.ID, "+10000000000", other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := mustJSON(t, foreign.Message.Contact); got != `{"phone_number":"+10000000000","first_name":"Boris","user_id":100000002}` {
		t.Errorf("foreign contact = %s", got)
	}
	if _, err := f.ShareContact(other.ID, ""); !errors.Is(err, ErrNoPhone) {
		t.Errorf("share without phone: %v", err)
	}

	// What go-telegram decodes: the check a bot must make is
	// contact.user_id == from.id.
	var updates []models.Update
	_, resp, _ := callJSON(t, base, f.Token(), "getUpdates", map[string]any{"offset": 2})
	if err := json.Unmarshal(resp.Result, &updates); err != nil {
		t.Fatal(err)
	}
	if len(updates) != 2 {
		t.Fatalf("got %d updates", len(updates))
	}
	if m := updates[0].Message; m.Contact.UserID != m.From.ID || m.Contact.PhoneNumber != "+79990001122" {
		t.Errorf("own contact decoded as %+v from %d", m.Contact, m.From.ID)
	}
	if m := updates[1].Message; m.Contact.UserID != other.ID || m.From.ID != u.ID {
		t.Errorf("foreign contact decoded as %+v from %d", m.Contact, m.From.ID)
	}
}

func TestBlockAndUnblock(t *testing.T) {
	f, base := newServed(t, Options{Clock: NewManualClock(t0), Flood: FloodLimits{Disabled: true}})
	u := startedUser(t, f, User{FirstName: "Anna"})
	b := newBot(t, f, base)
	ctx := ctxTimeout(t)

	upd, err := f.BlockBot(u.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"update_id":2,"my_chat_member":{"chat":{"id":100000001,"type":"private","first_name":"Anna"},` +
		`"from":{"id":100000001,"is_bot":false,"first_name":"Anna"},"date":1700000000,` +
		`"old_chat_member":{"status":"member","user":{"id":1000000001,"is_bot":true,"first_name":"Fake Bot","username":"fake_bot"}},` +
		`"new_chat_member":{"status":"kicked","user":{"id":1000000001,"is_bot":true,"first_name":"Fake Bot","username":"fake_bot"},"until_date":0}}}`
	if got := mustJSON(t, upd); got != want {
		t.Errorf("my_chat_member = %s\nwant %s", got, want)
	}
	if again, err := f.BlockBot(u.ID); err != nil || again.UpdateID != 0 {
		t.Errorf("second BlockBot = %+v, %v", again, err)
	}

	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "are you there?"})
	if !errors.Is(err, bot.ErrorForbidden) || err.Error() != "forbidden, Forbidden: bot was blocked by the user" {
		t.Errorf("send to blocker: %v", err)
	}
	if _, resp, _ := callJSON(t, base, f.Token(), "sendChatAction", map[string]any{"chat_id": u.ID, "action": "typing"}); resp.ErrorCode != 403 {
		t.Errorf("chat action to blocker: %+v", resp)
	}
	if _, err := f.SendText(u.ID, "hi"); !errors.Is(err, ErrBotBlocked) {
		t.Errorf("SendText while blocked: %v", err)
	}

	// /start unblocks: my_chat_member (kicked → member) first, then /start.
	if _, err := f.Start(u.ID, ""); err != nil {
		t.Fatal(err)
	}
	var updates []models.Update
	_, resp, _ := callJSON(t, base, f.Token(), "getUpdates", map[string]any{"offset": 2})
	if err := json.Unmarshal(resp.Result, &updates); err != nil {
		t.Fatal(err)
	}
	if len(updates) != 3 ||
		updates[0].MyChatMember.NewChatMember.Type != models.ChatMemberTypeBanned ||
		updates[1].MyChatMember.OldChatMember.Type != models.ChatMemberTypeBanned ||
		updates[1].MyChatMember.NewChatMember.Type != models.ChatMemberTypeMember ||
		updates[2].Message.Text != "/start" {
		t.Fatalf("updates after unblock = %s", resp.Result)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.ID, Text: "welcome back"}); err != nil {
		t.Errorf("send after unblock: %v", err)
	}
}

func TestWebhookDelivery(t *testing.T) {
	type delivery struct {
		secret string
		body   string
	}
	var (
		mu        sync.Mutex
		attempts  []delivery
		failFirst = true
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		attempts = append(attempts, delivery{r.Header.Get("X-Telegram-Bot-Api-Secret-Token"), string(body)})
		if failFirst {
			failFirst = false
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer hook.Close()

	f, base := newServed(t, Options{Clock: NewManualClock(t0), WebhookRetryDelay: 5 * time.Millisecond})
	b := newBot(t, f, base)
	ctx := ctxTimeout(t)
	u := f.AddUser(User{FirstName: "Anna"})
	if _, err := f.Start(u.ID, "before"); err != nil { // queued before the webhook is set
		t.Fatal(err)
	}
	if ok, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL + "/tg", SecretToken: "s3cr3t-token"}); err != nil || !ok {
		t.Fatalf("SetWebhook = %v, %v", ok, err)
	}
	if _, err := f.SendText(u.ID, "after"); err != nil {
		t.Fatal(err)
	}
	if err := f.WaitUntil(ctx, func() bool { return len(f.PendingUpdates()) == 0 }); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	got := append([]delivery(nil), attempts...)
	mu.Unlock()
	// First attempt of update 1 fails, is retried, then update 2: in order.
	if len(got) != 3 {
		t.Fatalf("webhook got %d deliveries: %+v", len(got), got)
	}
	for i, wantID := range []int64{1, 1, 2} {
		if got[i].secret != "s3cr3t-token" {
			t.Errorf("delivery %d secret = %q", i, got[i].secret)
		}
		if id := mustDecode[Update](t, json.RawMessage(got[i].body)).UpdateID; id != wantID {
			t.Errorf("delivery %d update_id = %d, want %d", i, id, wantID)
		}
	}
	if want := `{"update_id":2,"message":{"message_id":2,"from":{"id":100000001,"is_bot":false,"first_name":"Anna"},` +
		`"chat":{"id":100000001,"type":"private","first_name":"Anna"},"date":1700000000,"text":"after"}}`; got[2].body != want {
		t.Errorf("delivered body = %s\nwant %s", got[2].body, want)
	}

	info, err := b.GetWebhookInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.URL != hook.URL+"/tg" || info.PendingUpdateCount != 0 || info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" || int64(info.LastErrorDate) != t0.Unix() {
		t.Errorf("webhook info = %+v", info)
	}

	status, resp, _ := callJSON(t, base, f.Token(), "getUpdates", nil)
	if status != 409 || resp.Description != "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" {
		t.Errorf("getUpdates with webhook = %d %+v", status, resp)
	}
	if _, _, raw := callJSON(t, base, f.Token(), "deleteWebhook", nil); string(raw) != `{"ok":true,"result":true,"description":"Webhook was deleted"}` {
		t.Errorf("deleteWebhook = %s", raw)
	}
	if got := getUpdates(t, f, base, nil); len(got) != 0 {
		t.Errorf("getUpdates after deleteWebhook = %s", got)
	}
}

// TestBotEndToEnd is the intended use: a real go-telegram bot long-polls
// the fake while the test acts as the user and waits for the bot's replies.
func TestBotEndToEnd(t *testing.T) {
	f, base := newServed(t, Options{})
	ctx, cancel := context.WithCancel(ctxTimeout(t))
	defer cancel()

	b := newBot(t, f, base, bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, upd *models.Update) {
		switch {
		case upd.Message != nil && upd.Message.Text == "/start code":
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: upd.Message.Chat.ID, Text: "Subscribe?",
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Yes", CallbackData: "sub"}}}}})
		case upd.CallbackQuery != nil:
			cq := upd.CallbackQuery
			_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: "Subscribed"})
			_, _ = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: cq.Message.Message.Chat.ID,
				MessageID: cq.Message.Message.ID, Text: "Subscribed to " + cq.Data})
		}
	}))
	stopped := make(chan struct{})
	go func() { b.Start(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }() // let the bot stop before the server does

	u := f.AddUser(User{FirstName: "Anna"})
	if _, err := f.Start(u.ID, "code"); err != nil {
		t.Fatal(err)
	}
	sent, err := f.WaitSent(ctx, u.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 2 || sent[1].Text != "Subscribe?" {
		t.Fatalf("history = %+v", sent)
	}
	if _, err := f.PressButton(u.ID, sent[1].MessageID, "sub"); err != nil {
		t.Fatal(err)
	}
	if err := f.WaitUntil(ctx, func() bool { return f.Sent(u.ID)[1].Text == "Subscribed to sub" }); err != nil {
		t.Fatal(err)
	}
	if got := f.Sent(u.ID)[1]; got.ReplyMarkup != nil || got.EditDate == 0 {
		t.Errorf("edited message = %+v", got)
	}
	if err := f.WaitUntil(ctx, func() bool { return len(f.CallbackAnswers()) == 1 }); err != nil {
		t.Fatal(err)
	}
	if a := f.CallbackAnswers()[0]; a.Text != "Subscribed" || a.Data != "sub" {
		t.Errorf("answer = %+v", a)
	}
}
