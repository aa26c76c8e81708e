package telegram

import (
	"encoding/json"
	"reflect"
	"testing"

	"dozvon/messenger"
)

func TestSendMessageBodyIsTheBotAPIsJSON(t *testing.T) {
	m := messenger.Message{Address: chatAt(100000123), Text: `Здравствуйте, <b>Анна</b> & "Ко"` + "\n\tстрока",
		Buttons:       messenger.Markup{{{Text: "Ответить", Data: "reply"}}, {{Text: "Сайт", URL: "https://example.com/?a=1&b=2"}}},
		PaidBroadcast: true}
	var got map[string]any
	if err := json.Unmarshal(appendSendMessage(nil, m), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"chat_id": 100000123.0, "text": m.Text, "parse_mode": "HTML",
		"link_preview_options": map[string]any{"is_disabled": true}, "allow_paid_broadcast": true,
		"reply_markup": map[string]any{"inline_keyboard": []any{
			[]any{map[string]any{"text": "Ответить", "callback_data": "reply"}},
			[]any{map[string]any{"text": "Сайт", "url": "https://example.com/?a=1&b=2"}},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("body\n%v\nwant\n%v", got, want)
	}
}

func TestSendMessageBodyAsksForThePhoneWithAReplyKeyboard(t *testing.T) {
	m := messenger.Message{Address: chatAt(7), Text: "Поделитесь номером",
		Buttons: messenger.Markup{{{Text: "Отправить номер", RequestContact: true}}}}
	got := string(appendSendMessage(nil, m))
	want := `{"chat_id":7,"text":"Поделитесь номером","parse_mode":"HTML","link_preview_options":{"is_disabled":true},` +
		`"reply_markup":{"keyboard":[[{"text":"Отправить номер","request_contact":true}]],"resize_keyboard":true,"one_time_keyboard":true}}`
	if got != want {
		t.Fatalf("body\n%s\nwant\n%s", got, want)
	}
}

func TestSentMessageIDReadsTelegramsSuccessAndLeavesTheRestToTheDecoder(t *testing.T) {
	for _, tc := range []struct {
		body string
		id   int64
		ok   bool
	}{
		{`{"ok":true,"result":{"message_id":42,"from":{"id":1,"is_bot":true},"chat":{"id":7},"date":1,"text":"}"}}`, 42, true},
		{`{"ok":true,"result":{"message_id":7}}` + "\n", 7, true},
		{`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`, 0, false},
		{`{"result":{"message_id":42},"ok":true}`, 0, false}, // another order: decoded in full
		{`{"ok":true,"result":{"message_id":-1}}`, 0, false},
		{`{"ok":true,"result":{"message_id":}}`, 0, false},
		{`{"ok":true,"result":{"message_id":1234567890123456789012}}`, 0, false},
		{`{"ok":true,"result":{"message_id":42,"text":"cut sho`, 0, false},
	} {
		id, ok := sentMessageID([]byte(tc.body))
		if id != tc.id || ok != tc.ok {
			t.Errorf("%s: got %d, %v; want %d, %v", tc.body, id, ok, tc.id, tc.ok)
		}
	}
}
