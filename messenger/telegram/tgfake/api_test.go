package tgfake

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

var t0 = time.Unix(1_700_000_000, 0)

func TestGetMe(t *testing.T) {
	f, base := newServed(t, Options{})

	status, _, raw := callJSON(t, base, f.Token(), "getMe", nil)
	want := `{"ok":true,"result":{"id":1000000001,"is_bot":true,"first_name":"Fake Bot","username":"fake_bot",` +
		`"can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false,` +
		`"can_connect_to_business":false,"has_main_web_app":false}}`
	if status != http.StatusOK || string(raw) != want {
		t.Fatalf("getMe = %d %s\nwant 200 %s", status, raw, want)
	}

	b := newBot(t, f, base)
	me, err := b.GetMe(ctxTimeout(t))
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != 1000000001 || !me.IsBot || me.Username != "fake_bot" || me.FirstName != "Fake Bot" {
		t.Errorf("GetMe = %+v", me)
	}
	// bot.New called getMe once, then GetMe, and the raw call: 3.
	if got := f.Calls("getme"); got != 3 {
		t.Errorf("Calls(getme) = %d, want 3", got)
	}
}

func TestUnknownTokenAndMethod(t *testing.T) {
	f, base := newServed(t, Options{})

	status, _, raw := callJSON(t, base, "1000000001:wrong", "getMe", nil)
	if want := `{"ok":false,"error_code":401,"description":"Unauthorized"}`; status != 401 || string(raw) != want {
		t.Errorf("wrong token = %d %s, want 401 %s", status, raw, want)
	}
	_, err := bot.New("1000000001:wrong", bot.WithServerURL(base))
	if !errors.Is(err, bot.ErrorUnauthorized) {
		t.Errorf("bot.New with wrong token: err = %v, want ErrorUnauthorized", err)
	}

	status, _, raw = callJSON(t, base, f.Token(), "sendPigeon", nil)
	if want := `{"ok":false,"error_code":404,"description":"Not Found"}`; status != 404 || string(raw) != want {
		t.Errorf("unknown method = %d %s, want 404 %s", status, raw, want)
	}
}

func TestSendMessageInlineKeyboardViaClient(t *testing.T) {
	f, base := newServed(t, Options{Clock: NewManualClock(t0)})
	u := startedUser(t, f, User{FirstName: "Anna", LastName: "K", Username: "anna", LanguageCode: "ru"})
	b := newBot(t, f, base)

	msg, err := b.SendMessage(ctxTimeout(t), &bot.SendMessageParams{
		ChatID: u.ID,
		Text:   "Confirm the call?",
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
			{{Text: "Yes", CallbackData: "yes"}, {Text: "No", CallbackData: "no"}},
			{{Text: "Site", URL: "https://example.com/help"}},
		}},
		DisableNotification: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg.ID != 2 || msg.Chat.ID != u.ID || msg.Chat.Type != "private" || msg.From.ID != 1000000001 ||
		msg.Text != "Confirm the call?" || msg.Date != int(t0.Unix()) {
		t.Errorf("returned message = %+v", msg)
	}
	wantClient := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
		{{Text: "Yes", CallbackData: "yes"}, {Text: "No", CallbackData: "no"}},
		{{Text: "Site", URL: "https://example.com/help"}},
	}}
	if !reflect.DeepEqual(msg.ReplyMarkup, wantClient) {
		t.Errorf("returned reply_markup = %+v", msg.ReplyMarkup)
	}

	sent := f.Sent(u.ID)
	if len(sent) != 2 || sent[0].Text != "/start" || sent[0].FromBot() || !sent[1].FromBot() {
		t.Fatalf("Sent = %+v", sent)
	}
	want := &InlineKeyboardMarkup{InlineKeyboard: [][]InlineKeyboardButton{
		{{Text: "Yes", CallbackData: "yes"}, {Text: "No", CallbackData: "no"}},
		{{Text: "Site", URL: "https://example.com/help"}},
	}}
	if !reflect.DeepEqual(sent[1].ReplyMarkup, want) {
		t.Errorf("stored reply_markup = %s", mustJSON(t, sent[1].ReplyMarkup))
	}

	// The client sent multipart form fields; reply_markup is a JSON string.
	reqs := f.Requests()
	last := reqs[len(reqs)-1]
	if last.Method != "sendMessage" || last.Status != 200 || last.Params["chat_id"] != "100000001" ||
		last.Params["disable_notification"] != "true" || !strings.HasPrefix(last.Params["reply_markup"], `{"inline_keyboard":[[{"text":"Yes"`) {
		t.Errorf("logged request = %+v", last)
	}
}

func TestSendMessageRawJSONAndForm(t *testing.T) {
	f, base := newServed(t, Options{Clock: NewManualClock(t0), Flood: FloodLimits{Disabled: true}})
	u := startedUser(t, f, User{FirstName: "Anna", Username: "anna"})

	// JSON body, nested reply keyboard with a request_contact button; one
	// row uses the legacy bare-string button form.
	status, _, raw := callJSON(t, base, f.Token(), "sendMessage", map[string]any{
		"chat_id": u.ID,
		"text":    "Share your phone, please",
		"reply_markup": map[string]any{
			"keyboard":          []any{[]any{map[string]any{"text": "Share phone", "request_contact": true}}, []any{"Cancel"}},
			"one_time_keyboard": true,
			"resize_keyboard":   true,
		},
	})
	want := `{"ok":true,"result":{"message_id":2,"from":{"id":1000000001,"is_bot":true,"first_name":"Fake Bot","username":"fake_bot"},` +
		`"chat":{"id":100000001,"type":"private","first_name":"Anna","username":"anna"},"date":1700000000,"text":"Share your phone, please"}}`
	if status != 200 || string(raw) != want {
		t.Fatalf("sendMessage = %d %s\nwant %s", status, raw, want)
	}
	wantKB := &ReplyKeyboardMarkup{
		Keyboard:        [][]KeyboardButton{{{Text: "Share phone", RequestContact: true}}, {{Text: "Cancel"}}},
		OneTimeKeyboard: true,
		ResizeKeyboard:  true,
	}
	if got := f.Keyboard(u.ID); !reflect.DeepEqual(got, wantKB) {
		t.Errorf("Keyboard = %s", mustJSON(t, got))
	}
	if _, err := f.ShareContact(u.ID, "+79990001122"); err != nil {
		t.Fatal(err)
	}
	if got := f.Keyboard(u.ID); got != nil {
		t.Errorf("one-time keyboard still shown after use: %s", mustJSON(t, got))
	}

	// Form body, method name in another case, inline markup as a JSON string,
	// HTML parse mode.
	status, resp, raw := callForm(t, base, f.Token(), "SENDMESSAGE", url.Values{
		"chat_id":      {"100000001"},
		"text":         {"<b>Call</b> at 10:00"},
		"parse_mode":   {"HTML"},
		"reply_markup": {`{"inline_keyboard":[[{"text":"OK","callback_data":"ok"}]]}`},
	})
	if status != 200 {
		t.Fatalf("form sendMessage = %d %s", status, raw)
	}
	m := mustDecode[Message](t, resp.Result)
	if m.MessageID != 4 || m.Text != "Call at 10:00" ||
		mustJSON(t, m.Entities) != `[{"type":"bold","offset":0,"length":4}]` ||
		mustJSON(t, m.ReplyMarkup) != `{"inline_keyboard":[[{"text":"OK","callback_data":"ok"}]]}` {
		t.Errorf("form sendMessage result = %s", resp.Result)
	}
	if got := f.Calls("sendMessage"); got != 2 {
		t.Errorf("Calls(sendMessage) = %d, want 2", got)
	}

	// Query-string parameters work too, even on GET.
	status, _, raw = do(t, http.MethodGet, base+"/bot"+f.Token()+"/sendMessage?chat_id=100000001&text=ping", "", nil)
	if status != 200 || !strings.Contains(string(raw), `"message_id":5`) {
		t.Errorf("GET sendMessage = %d %s", status, raw)
	}
}

func TestSendMessageErrors(t *testing.T) {
	f, base := newServed(t, Options{Flood: FloodLimits{Disabled: true}})
	u := startedUser(t, f, User{FirstName: "Anna"})
	stranger := f.AddUser(User{FirstName: "Never started"})

	cases := []struct {
		name   string
		params map[string]any
		status int
		desc   string
	}{
		{"too long", map[string]any{"chat_id": u.ID, "text": strings.Repeat("я", 4097)}, 400, "Bad Request: message is too long"},
		{"empty", map[string]any{"chat_id": u.ID, "text": ""}, 400, "Bad Request: message text is empty"},
		{"whitespace only", map[string]any{"chat_id": u.ID, "text": " \n "}, 400, "Bad Request: message text is empty"},
		{"no chat_id", map[string]any{"text": "hi"}, 400, "Bad Request: chat_id is empty"},
		{"unknown chat", map[string]any{"chat_id": 42, "text": "hi"}, 400, "Bad Request: chat not found"},
		{"never started", map[string]any{"chat_id": stranger.ID, "text": "hi"}, 400, "Bad Request: chat not found"},
		{"username", map[string]any{"chat_id": "@anna", "text": "hi"}, 400, "Bad Request: chat not found"},
		{"bad html", map[string]any{"chat_id": u.ID, "text": "<b>hi", "parse_mode": "HTML"}, 400,
			`Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{"bad parse mode", map[string]any{"chat_id": u.ID, "text": "hi", "parse_mode": "BBCode"}, 400, "Bad Request: unsupported parse_mode"},
		{"text button inline", map[string]any{"chat_id": u.ID, "text": "hi", "reply_markup": `{"inline_keyboard":[[{"text":"x"}]]}`}, 400,
			"Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
		{"long callback data", map[string]any{"chat_id": u.ID, "text": "hi", "reply_markup": `{"inline_keyboard":[[{"text":"x","callback_data":"` + strings.Repeat("d", 65) + `"}]]}`}, 400,
			"Bad Request: BUTTON_DATA_INVALID"},
		{"bad markup", map[string]any{"chat_id": u.ID, "text": "hi", "reply_markup": `{"inline_keyboard":`}, 400,
			"Bad Request: can't parse reply keyboard markup JSON object"},
		{"reply to missing", map[string]any{"chat_id": u.ID, "text": "hi", "reply_parameters": map[string]any{"message_id": 99}}, 400,
			"Bad Request: message to be replied not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, resp, raw := callJSON(t, base, f.Token(), "sendMessage", tc.params)
			if status != tc.status || resp.OK || resp.ErrorCode != tc.status || resp.Description != tc.desc || resp.Parameters != nil {
				t.Errorf("got %d %s\nwant %d %q", status, raw, tc.status, tc.desc)
			}
		})
	}

	// Exactly 4096 characters is fine; so is a missing reply target when
	// allowed.
	if status, _, raw := callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": u.ID, "text": strings.Repeat("я", 4096)}); status != 200 {
		t.Errorf("4096 chars = %d %s", status, raw)
	}
	status, resp, _ := callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": u.ID, "text": "hi",
		"reply_parameters": map[string]any{"message_id": 99, "allow_sending_without_reply": true}})
	if status != 200 || mustDecode[Message](t, resp.Result).ReplyToMessage != nil {
		t.Errorf("allow_sending_without_reply = %d %s", status, resp.Result)
	}
	status, resp, _ = callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": u.ID, "text": "re",
		"reply_parameters": `{"message_id":1}`})
	if r := mustDecode[Message](t, resp.Result).ReplyToMessage; status != 200 || r == nil || r.MessageID != 1 || r.Text != "/start" {
		t.Errorf("reply = %d %s", status, resp.Result)
	}

	// A forgotten chat is unknown again until the user writes.
	f.ForgetChat(u.ID)
	if _, resp, _ := callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": u.ID, "text": "hi"}); resp.Description != "Bad Request: chat not found" {
		t.Errorf("after ForgetChat: %q", resp.Description)
	}
}

func TestEditDeleteAndChatAction(t *testing.T) {
	clock := NewManualClock(t0)
	f, base := newServed(t, Options{Clock: clock, Flood: FloodLimits{Disabled: true}})
	u := startedUser(t, f, User{FirstName: "Anna"})
	tok := f.Token()

	_, resp, _ := callJSON(t, base, tok, "sendMessage", map[string]any{"chat_id": u.ID, "text": "Pick",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "A", "callback_data": "a"}}}}})
	id := mustDecode[Message](t, resp.Result).MessageID

	clock.Advance(time.Minute)
	// Editing text without reply_markup drops the keyboard, as in Telegram.
	status, resp, raw := callJSON(t, base, tok, "editMessageText", map[string]any{"chat_id": u.ID, "message_id": id, "text": "Picked A"})
	if m := mustDecode[Message](t, resp.Result); status != 200 || m.Text != "Picked A" || m.ReplyMarkup != nil || m.EditDate != t0.Unix()+60 || m.Date != t0.Unix() {
		t.Errorf("editMessageText = %d %s", status, raw)
	}
	_, resp, _ = callJSON(t, base, tok, "editMessageText", map[string]any{"chat_id": u.ID, "message_id": id, "text": "Picked A"})
	if resp.Description != "Bad Request: "+errNotModified {
		t.Errorf("same edit: %q", resp.Description)
	}
	_, resp, _ = callJSON(t, base, tok, "editMessageText", map[string]any{"chat_id": u.ID, "message_id": 1, "text": "x"})
	if resp.Description != "Bad Request: message can't be edited" {
		t.Errorf("edit user message: %q", resp.Description)
	}
	_, resp, _ = callJSON(t, base, tok, "editMessageText", map[string]any{"chat_id": u.ID, "message_id": 77, "text": "x"})
	if resp.Description != "Bad Request: message to edit not found" {
		t.Errorf("edit missing: %q", resp.Description)
	}
	status, resp, raw = callJSON(t, base, tok, "editMessageReplyMarkup", map[string]any{"chat_id": u.ID, "message_id": id,
		"reply_markup": `{"inline_keyboard":[[{"text":"Undo","callback_data":"undo"}]]}`})
	if m := mustDecode[Message](t, resp.Result); status != 200 || mustJSON(t, m.ReplyMarkup) != `{"inline_keyboard":[[{"text":"Undo","callback_data":"undo"}]]}` {
		t.Errorf("editMessageReplyMarkup = %d %s", status, raw)
	}
	if got := f.Sent(u.ID)[1]; got.Text != "Picked A" || !got.ReplyMarkup.hasCallbackButton("undo") {
		t.Errorf("Sent shows %+v", got)
	}

	if status, _, raw := callJSON(t, base, tok, "sendChatAction", map[string]any{"chat_id": u.ID, "action": "typing"}); status != 200 || string(raw) != `{"ok":true,"result":true}` {
		t.Errorf("sendChatAction = %d %s", status, raw)
	}
	if _, resp, _ := callJSON(t, base, tok, "sendChatAction", map[string]any{"chat_id": u.ID, "action": "dancing"}); resp.Description != "Bad Request: wrong parameter action in request" {
		t.Errorf("bad action: %q", resp.Description)
	}
	if got := f.ChatActions(u.ID); len(got) != 1 || got[0].Action != "typing" || !got[0].Time.Equal(t0.Add(time.Minute)) {
		t.Errorf("ChatActions = %+v", got)
	}

	if status, _, raw := callJSON(t, base, tok, "deleteMessage", map[string]any{"chat_id": u.ID, "message_id": id}); status != 200 || string(raw) != `{"ok":true,"result":true}` {
		t.Errorf("deleteMessage = %d %s", status, raw)
	}
	if _, resp, _ := callJSON(t, base, tok, "deleteMessage", map[string]any{"chat_id": u.ID, "message_id": id}); resp.Description != "Bad Request: message to delete not found" {
		t.Errorf("delete twice: %q", resp.Description)
	}
	if sent := f.Sent(u.ID); len(sent) != 1 || sent[0].Text != "/start" {
		t.Errorf("Sent after delete = %+v", sent)
	}
}

func TestCommands(t *testing.T) {
	f, base := newServed(t, Options{})
	b := newBot(t, f, base)
	ctx := ctxTimeout(t)
	cmds := []models.BotCommand{{Command: "start", Description: "Begin"}, {Command: "stop", Description: "Unsubscribe"}}
	if ok, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds}); err != nil || !ok {
		t.Fatalf("SetMyCommands = %v, %v", ok, err)
	}
	if ok, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds[:1], LanguageCode: "ru"}); err != nil || !ok {
		t.Fatalf("SetMyCommands ru = %v, %v", ok, err)
	}
	got, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{})
	if err != nil || !reflect.DeepEqual(got, cmds) {
		t.Errorf("GetMyCommands = %+v, %v", got, err)
	}
	if got := f.Commands("ru"); !reflect.DeepEqual(got, []BotCommand{{Command: "start", Description: "Begin"}}) {
		t.Errorf("Commands(ru) = %+v", got)
	}
	_, err = b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Bad Command", Description: "x"}}})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "BOT_COMMAND_INVALID") {
		t.Errorf("invalid command: %v", err)
	}
	for _, m := range []string{"close", "logOut"} {
		if status, _, raw := callJSON(t, base, f.Token(), m, nil); status != 200 || string(raw) != `{"ok":true,"result":true}` {
			t.Errorf("%s = %d %s", m, status, raw)
		}
	}
}
