package apispec

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func messages(errs []error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	slices.Sort(out)
	return out
}

func TestAValidSendMessagePasses(t *testing.T) {
	spec := TelegramForTest(t)
	params := decode(t, `{"chat_id":1234567823,"text":"Здравствуйте","parse_mode":"HTML",
		"link_preview_options":{"is_disabled":true},"allow_paid_broadcast":true,
		"reply_markup":{"inline_keyboard":[[{"text":"Да","callback_data":"c:1:0"}],[{"text":"Сайт","url":"https://bank.example"}]]}}`)
	if errs := spec.Check("sendMessage", params, false); len(errs) > 0 {
		t.Fatal(errs)
	}
}

// Each rule the specification states, in its fields or in its prose, catches a request that breaks it.
func TestEveryKindOfMistakeIsCaught(t *testing.T) {
	spec := TelegramForTest(t)
	spec.TextLength = func(text, mode string) int { return len([]rune(strings.ReplaceAll(text, "<b>", ""))) }
	for _, tc := range []struct {
		method, params string
		want           []string
	}{
		{"sendMessage", `{"text":"x","copy_text":""}`, []string{
			"sendMessage: chat_id is required", "sendMessage: copy_text is not a field of sendMessage"}},
		{"sendMessage", `{"chat_id":true,"text":""}`, []string{
			"sendMessage.chat_id: true is none of Integer, String", "sendMessage.text: is 0 characters, want 1-4096 characters"}},
		{"sendMessage", `{"chat_id":7,"text":"` + strings.Repeat("я", 4097) + `"}`, []string{
			"sendMessage.text: is 4097 characters, want 1-4096 characters"}},
		{"sendMessage", `{"chat_id":7,"text":"<b>` + strings.Repeat("я", 4096) + `","parse_mode":"HTML"}`, nil}, // counted after parsing
		{"sendMessage", `{"chat_id":7,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"Да","callback_data":"` + strings.Repeat("d", 65) + `"},{"text":"Нет"},{"text":"Оба","url":"https://x","callback_data":"y","style":"red"}]]}}`,
			[]string{
				`sendMessage.reply_markup.inline_keyboard[0][0].callback_data: is 65 bytes, want 1-64 bytes`,
				`sendMessage.reply_markup.inline_keyboard[0][1]: InlineKeyboardButton: exactly one of the fields other than text, icon_custom_emoji_id, style must be used, not []`,
				`sendMessage.reply_markup.inline_keyboard[0][2].style: "red" is not one of danger, success, primary`,
				`sendMessage.reply_markup.inline_keyboard[0][2]: InlineKeyboardButton: exactly one of the fields other than text, icon_custom_emoji_id, style must be used, not [callback_data url]`,
			}},
		{"sendMessage", `{"chat_id":7,"text":"x","reply_markup":{"keyboard":[[{"text":"Номер","request_contact":"yes"}]]}}`,
			[]string{`sendMessage.reply_markup.keyboard[0][0].request_contact: yes is not a Boolean`}},
		{"setWebhook", `{"url":"https://x/telegram/webhook","secret_token":"a!b","max_connections":101,"allowed_updates":["message","messages","update_id"]}`,
			[]string{
				"setWebhook.allowed_updates[1]: messages is not an update type (a field of Update)",
				"setWebhook.allowed_updates[2]: update_id is not an update type (a field of Update)",
				"setWebhook.max_connections: is 101, want 1-100",
				"setWebhook.secret_token: has characters other than A-Z, a-z, 0-9, _ and -",
			}},
		{"answerCallbackQuery", `{"callback_query_id":"1","text":"` + strings.Repeat("я", 201) + `"}`,
			[]string{"answerCallbackQuery.text: is 201 characters, want 0-200 characters"}},
		{"sendMesage", `{}`, []string{"sendMesage: no such method"}},
	} {
		got := messages(spec.Check(tc.method, decode(t, tc.params), false))
		slices.Sort(tc.want)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s %.80s\n got %q\nwant %q", tc.method, tc.params, got, tc.want)
		}
	}
}

// A form carries numbers and flags as text and objects as JSON: each is read as its type before the check.
func TestAMultipartRequestIsReadAndChecked(t *testing.T) {
	spec := TelegramForTest(t)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range map[string]string{"url": "https://x/telegram/webhook", "max_connections": "forty",
		"allowed_updates": `["message","callback_query"]`, "drop_pending_updates": "true"} {
		_ = w.WriteField(k, v)
	}
	_ = w.Close()
	r := httptest.NewRequest("POST", "/bot123:ABC/setWebhook", &body)
	r.Header.Set("Content-Type", w.FormDataContentType())
	req, err := ReadRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	got := messages(spec.Check(req.Method, req.Params, req.Form))
	if want := []string{"setWebhook.max_connections: forty is not an Integer"}; req.Method != "setWebhook" || !slices.Equal(got, want) {
		t.Fatalf("%s: got %q, want %q", req.Method, got, want)
	}
}

// A file is downloaded at the link getFile's documentation gives, with the bot's token and getFile's file_path.
func TestFileDownloadPathIsTheLinkGetFileDocuments(t *testing.T) {
	spec := TelegramForTest(t)
	got, err := spec.FileDownloadPath("123:abc", "photos/file_7.jpg")
	if want := "/file/bot123:abc/photos/file_7.jpg"; err != nil || got != want {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
}
