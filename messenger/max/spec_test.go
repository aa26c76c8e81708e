package max_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dozvon/internal/apispec"
	"dozvon/messenger"
	"dozvon/messenger/max"
	"dozvon/messenger/max/maxfake"
)

// Every request the client can make is captured on its way to the fake and checked against the MAX Bot API's
// OpenAPI schema: path, method, query parameters and their types, the body with its required fields, lengths and
// enums.
func TestEveryRequestTheClientMakesFitsTheSchema(t *testing.T) {
	spec := apispec.MAXForTest(t)
	fake := maxfake.New(maxfake.Options{})
	var mu sync.Mutex
	var problems []string
	routes := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		errs := spec.CheckHTTP(r)
		mu.Lock()
		routes[r.Method+" "+routePath(r.URL.Path)]++
		for _, e := range errs {
			problems = append(problems, fmt.Sprintf("%s %s?%s: %v", r.Method, r.URL.Path, r.URL.RawQuery, e))
		}
		mu.Unlock()
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { fake.Close(); srv.CloseClientConnections(); srv.Close() })
	ctx := context.Background()
	c := max.NewClient(fake.Token(), srv.URL, nil)
	ch := max.Channel{Client: c}
	anna := started(t, fake, maxfake.User{FirstName: "Anna"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	_, err := c.Me(ctx)
	must(err)
	for _, m := range []messenger.Message{
		{Address: maxChat(anna.ChatID), Text: "Просто текст"},
		{Address: maxChat(anna.ChatID), Text: "<b>Жирный</b> <i>курсив</i> <u>подчёркнутый</u> <s>зачёркнутый</s> <code>код</code> <pre>блок</pre> <a href=\"https://bank.example\">ссылка</a>",
			Buttons: messenger.Markup{{{Text: "Да", Data: "c:1:0"}, {Text: "Нет", Data: "c:1:1"}},
				{{Text: "Сайт", URL: "https://bank.example"}}, {{Text: "Номер", RequestContact: true}}}},
		{Address: maxChat(anna.ChatID), Text: messenger.Escape("<b>набрано</b> оператором " + strings.Repeat("я", max.MaxTextLength-32))},
		{Address: maxChat(anna.ChatID), Text: strings.Repeat("я", max.MaxTextLength),
			Buttons: messenger.Markup{{{Text: strings.Repeat("к", max.MaxButtonText), Data: strings.Repeat("d", max.MaxPayloadLength)}}}},
	} {
		_, err := ch.Send(ctx, m)
		must(err)
	}
	mid, err := c.SendMessage(ctx, max.Recipient{UserID: anna.UserID}, max.NewMessageBody{Text: "Пользователю"})
	must(err)
	must(ch.Typing(ctx, anna.ChatID))

	mid, err = c.SendMessage(ctx, max.Recipient{ChatID: anna.ChatID}, max.NewMessageBody{Text: "?",
		Attachments: []max.AttachmentRequest{{Type: "inline_keyboard", Payload: max.KeyboardPayload{
			Buttons: [][]max.Button{{{Type: max.ButtonCallback, Text: "Да", Payload: "yes"}}}}}}})
	must(err)
	upd, err := fake.PressButton(anna.UserID, mid, "yes")
	must(err)
	must(c.AnswerCallback(ctx, upd.Callback.CallbackID, "Принято"))
	must(c.AnswerCallback(ctx, upd.Callback.CallbackID, ""))

	b, err := c.Updates(ctx, nil, 0, 0, nil)
	must(err)
	_, err = c.Updates(ctx, b.Marker, 1000, 0, max.UpdateTypes)
	must(err)
	must(c.Subscribe(ctx, "https://dozvon.example/max/webhook", "s3cret_-X"))
	_, err = c.Subscriptions(ctx)
	must(err)
	must(c.Unsubscribe(ctx, "https://dozvon.example/max/webhook"))

	poller := &max.Poller{Client: c, Timeout: time.Second, Limit: 10,
		Store: func(context.Context, []string, [][]byte) error { return nil }}
	pctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_ = poller.Run(pctx)

	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Fatalf("requests the schema refuses:\n%s", strings.Join(problems, "\n"))
	}
	var got []string
	for r := range routes {
		got = append(got, r)
	}
	slices.Sort(got)
	want := []string{"DELETE /subscriptions", "GET /me", "GET /subscriptions", "GET /updates", "POST /answers",
		"POST /chats/{chatId}/actions", "POST /messages", "POST /subscriptions"}
	if !slices.Equal(got, want) {
		t.Fatalf("routes checked %q, want every one the client calls: %q", got, want)
	}
}

func routePath(p string) string {
	if strings.HasPrefix(p, "/chats/") {
		return "/chats/{chatId}/actions"
	}
	return p
}

// The validator is no rubber stamp: each kind of mistake in a request is refused, with where and why.
func TestTheSchemaRefusesAWrongRequest(t *testing.T) {
	spec := apispec.MAXForTest(t)
	for _, tc := range []struct {
		name, method, path, query, body string
		want                            []string
	}{
		{"unknown field", "POST", "/messages", "chat_id=5", `{"text":"x","attachments":null,"link":null,"parse_mode":"HTML"}`,
			[]string{"sendMessage: parse_mode is not a field"}},
		{"missing required", "POST", "/messages", "chat_id=5", `{"text":"x"}`,
			[]string{"sendMessage: attachments is required", "sendMessage: link is required"}},
		{"too long text", "POST", "/messages", "chat_id=5", `{"text":"` + strings.Repeat("я", 4001) + `","attachments":null,"link":null}`,
			[]string{"sendMessage.text: is 4001 characters, want at most 4000"}},
		{"wrong enum", "POST", "/messages", "chat_id=5", `{"text":"x","attachments":null,"link":null,"format":"HTML"}`,
			[]string{"sendMessage.format: HTML is not one of [markdown html]"}},
		{"wrong button", "POST", "/messages", "user_id=5", `{"text":"x","link":null,"attachments":[{"type":"inline_keyboard","payload":{"buttons":[[{"type":"callback","text":"Да"},{"type":"url","text":"Сайт"},{"type":"link","text":"","url":"https://x"}]]}}]}`,
			[]string{
				"sendMessage.attachments[0].payload.buttons[0][0]: payload is required",
				`sendMessage.attachments[0].payload.buttons[0][1]: type "url" is not one of callback, clipboard, link, message, open_app, request_contact, request_geo_location`,
				"sendMessage.attachments[0].payload.buttons[0][2].text: is 0 characters, want at least 1",
			}},
		{"wrong query", "POST", "/messages", "chat_id=five&parse_mode=HTML", `{"text":"x","attachments":null,"link":null}`,
			[]string{"POST /messages: parse_mode is not a query parameter of sendMessage", "POST /messages?chat_id: five is not a number"}},
		{"missing parameter", "POST", "/answers", "", `{"notification":"ok"}`,
			[]string{"POST /answers: the query parameter callback_id is required"}},
		{"bad secret", "POST", "/subscriptions", "", `{"url":"https://x/hook","secret":"a b"}`,
			[]string{`subscribe.secret: "a b" does not match ^[a-zA-Z0-9_-]{5,256}$`, "subscribe.secret: is 3 characters, want at least 5"}},
		{"wrong action", "POST", "/chats/12/actions", "", `{"action":"typing"}`,
			[]string{"sendAction.action: typing is not one of [typing_on sending_photo sending_video sending_audio sending_file]"}},
		{"too long poll", "GET", "/updates", "timeout=91", ``,
			[]string{"GET /updates?timeout: 91 is out of range"}},
		{"no such path", "POST", "/message", "", `{}`, []string{"POST /message: no such path"}},
	} {
		q, _ := url.ParseQuery(tc.query)
		var body []byte
		if tc.body != "" {
			body = []byte(tc.body)
		}
		var got []string
		for _, e := range spec.Check(tc.method, tc.path, q, true, body) {
			got = append(got, e.Error())
		}
		slices.Sort(tc.want)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	if got := spec.Check("GET", "/me", nil, false, nil); len(got) != 1 || got[0].Error() != "GET /me: no credentials: neither the access_token parameter nor an Authorization header" {
		t.Errorf("a request without a token: %v", got)
	}
}
