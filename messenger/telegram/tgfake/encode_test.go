package tgfake

import (
	"encoding/json"
	"testing"
)

func TestAppendMessageMatchesJSON(t *testing.T) {
	s := "копия"
	odd := "a\"b\\c<d>&e\x01\b\f\n\r\t\x7f\u2028\u2029\xff😀 Привет \xd0A\xc1\x80\xdf\xbf\xd0"
	bot := &User{ID: 1000000001, IsBot: true, FirstName: "Fake Bot", Username: "fake_bot"}
	user := &User{ID: 100000001, FirstName: odd, LastName: "Ли", Username: "u", LanguageCode: "ru", Phone: "+7"}
	plain := &InlineKeyboardMarkup{InlineKeyboard: [][]InlineKeyboardButton{
		{{Text: "Ответить", CallbackData: "reply"}, {Text: odd, URL: "https://e.x/?a=1&b=<2>", Style: "primary"}},
		nil, {}, {{Text: "", IconCustomEmojiID: "5"}},
	}}
	exotic := &InlineKeyboardMarkup{InlineKeyboard: [][]InlineKeyboardButton{
		{{Text: "c", CopyText: &CopyTextButton{Text: "x"}}, {Text: "w", WebApp: json.RawMessage(`{ "url": "https://e.x" }`)}},
		{{Text: "s", SwitchInlineQuery: &s}, {Text: "p", Pay: true}},
	}}
	msgs := []*Message{
		{},
		{MessageID: 7, From: bot, Chat: Chat{ID: 5, Type: "private"}, Date: 1700000000, Text: "hi"},
		{MessageID: 8, From: user, Chat: Chat{ID: 5, Type: "private", FirstName: odd, LastName: "L", Username: "u"},
			Date: 1, EditDate: 2, Text: odd, Contact: &Contact{PhoneNumber: "+7 900", FirstName: "A", LastName: "B", UserID: 3},
			Entities: []MessageEntity{{Type: "bold", Offset: 0, Length: 2}, {Type: "text_link", Offset: 3, Length: 4,
				URL: "https://e.x/<>", Language: "go", CustomEmojiID: "9"}},
			ReplyMarkup: plain, ReplyKeyboard: &ReplyKeyboardMarkup{}, ParseMode: "HTML", PaidBroadcast: true},
		{MessageID: 10, From: user, Chat: Chat{ID: 5, Type: "private"}, Caption: odd,
			Photo:    []PhotoSize{{FileID: "a", FileUniqueID: "b", Width: 90, Height: 60, FileSize: 100}},
			Document: &Document{FileID: "c", FileUniqueID: "d", FileName: odd, MIMEType: "application/pdf"}},
		{MessageID: 9, Chat: Chat{Type: "private"}, Contact: &Contact{}, ReplyMarkup: exotic,
			ReplyToMessage: &Message{MessageID: 8, From: user, Text: "<b>", ReplyMarkup: &InlineKeyboardMarkup{}}},
	}
	for i, m := range msgs {
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendMessage(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("message %d:\n got %s\nwant %s", i, got, want)
		}
	}
}
