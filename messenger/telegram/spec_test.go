package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"dozvon/internal/apispec"
	"dozvon/messenger"
	"dozvon/messenger/telegram/tgfake"
)

// Every request the adapter can make, captured at the server as it arrives, is valid under the Bot API 10.1
// specification: its method exists, every parameter is one the method has, of its type (nested objects such as
// InlineKeyboardMarkup included), the required ones are there, and the limits the documentation states (1-4096
// characters of text after parsing, 1-64 bytes of callback data, one action per button) hold; a client's file is
// downloaded at the link getFile's documentation gives. A new request belongs in this test.
func TestEveryRequestTheAdapterMakesIsValidUnderTheBotAPISpecification(t *testing.T) {
	spec := apispec.TelegramForTest(t)
	spec.TextLength = func(text, mode string) int {
		if strings.EqualFold(mode, "HTML") {
			return messenger.ParseHTML(text).Length()
		}
		return len(utf16.Encode([]rune(text)))
	}
	fake := tgfake.New(tgfake.Options{Flood: tgfake.FloodLimits{Disabled: true}}) // one chat gets them all at once
	var mu sync.Mutex
	var calls []apispec.Request
	var filePaths, downloads []string // what getFile answered, and the files fetched
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/file/") {
			mu.Lock()
			downloads = append(downloads, r.Method+" "+r.URL.Path)
			mu.Unlock()
			fake.Handler().ServeHTTP(w, r)
			return
		}
		req, err := apispec.ReadRequest(r)
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		calls = append(calls, req)
		mu.Unlock()
		if req.Method != "getFile" {
			fake.Handler().ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		fake.Handler().ServeHTTP(rec, r)
		var answer struct {
			Result struct {
				FilePath string `json:"file_path"`
			} `json:"result"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &answer)
		mu.Lock()
		filePaths = append(filePaths, answer.Result.FilePath)
		mu.Unlock()
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	defer srv.Close()
	ctx := context.Background()
	user := fake.AddUser(tgfake.User{FirstName: "Анна"})
	if _, err := fake.Start(user.ID, ""); err != nil {
		t.Fatal(err)
	}
	// The files a client sends, which the fetcher downloads: getFile, then the link it documents.
	photo, err := fake.SendPhoto(user.ID, []byte("\xff\xd8jpeg"), 1280, 960, "Выписка")
	if err != nil {
		t.Fatal(err)
	}
	document, err := fake.SendDocument(user.ID, "устав.pdf", "application/pdf", []byte("%PDF-1.7"), "")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{photo.Message.Photo[0].FileID: "\xff\xd8jpeg", document.Message.Document.FileID: "%PDF-1.7"}

	// What the adapter sends: a campaign's message with its buttons (one to a row, opt-out among them), a
	// paid broadcast, a link beside a button, the request for the client's phone, an operator's reply at the
	// length limit, and the bot's notices.
	messages := []messenger.Message{
		{Address: chatAt(user.ID), Text: "Здравствуйте, Анна! Счёт для <b>" + messenger.Escape(`ООО "Рога & Копыта"`) + "</b> ждёт.",
			Buttons: messenger.Markup{{{Text: "Да, продолжим в чате", Data: "c:42:0"}}, {{Text: "Перезвоните мне", Data: "c:42:1"}},
				{{Text: "Не интересно", Data: "optout"}}}},
		{Address: chatAt(user.ID), Text: "Эквайринг <i>от 1,5%</i>", PaidBroadcast: true,
			Buttons: messenger.Markup{{{Text: "Тарифы", URL: "https://bank.example/tariffs?a=1&b=2"}, {Text: "Подробнее", Data: "c:43:" + strings.Repeat("9", 58)}}}},
		{Address: chatAt(user.ID), Text: "Поделитесь номером, чтобы мы нашли вашу заявку",
			Buttons: messenger.Markup{{{Text: "Отправить номер", RequestContact: true}}}},
		{Address: chatAt(user.ID), Text: "<b>" + messenger.Escape(strings.Repeat("я", 4094)+"&<") + "</b>"}, // 4096 as Telegram counts
		{Address: chatAt(user.ID), Text: `<tg-spoiler>40702</tg-spoiler> <a href="https://bank.example">банк</a> <blockquote expandable>` +
			`<pre><code class="language-text">x</code></pre></blockquote> <tg-time unix="1647531900" format="wDT">17.03</tg-time>`},
	}
	for _, hc := range []*http.Client{nil, {Timeout: 10 * time.Second}} { // the broadcast's fast path, and http.Client.Do
		c, err := NewClient(tgfake.DefaultToken, srv.URL, hc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Me(ctx); err != nil {
			t.Fatal(err)
		}
		for _, m := range messages {
			if _, err := c.Send(ctx, m); err != nil {
				t.Fatalf("send %.40q: %v", m.Text, err)
			}
		}
		if err := c.Typing(ctx, user.ID); err != nil {
			t.Fatal(err)
		}
		sent := fake.Sent(user.ID)
		campaign := sent[len(sent)-len(messages)]
		for _, notice := range []string{"Спасибо! Мы перезвоним", ""} {
			press, err := fake.PressButton(user.ID, campaign.MessageID, "c:42:1")
			if err != nil {
				t.Fatal(err)
			}
			if err := c.AnswerCallback(ctx, press.CallbackQuery.ID, notice); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.SetWebhook(ctx, "https://dozvon.bank.example"+WebhookPath, strings.Repeat("5e", 32)); err != nil { // the shape of WebhookSecret: 32 random bytes in hex {
			t.Fatal(err)
		}
		if url, err := c.WebhookURL(ctx); err != nil || url != "https://dozvon.bank.example"+WebhookPath {
			t.Fatalf("webhook %q, %v", url, err)
		}
		for id, want := range files {
			body, _, err := c.OpenFile(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(body)
			body.Close()
			if err != nil || string(got) != want {
				t.Fatalf("file %s: %q, %v", id, got, err)
			}
		}
	}
	p := &Poller{Token: tgfake.DefaultToken, APIURL: srv.URL, HTTP: srv.Client(), Timeout: 25 * time.Second}
	if err := p.deleteWebhook(ctx); err != nil {
		t.Fatal(err)
	}
	if ids, _, err := p.getUpdates(ctx, 0); err != nil || len(ids) == 0 {
		t.Fatalf("getUpdates: %d updates, %v", len(ids), err)
	}

	mu.Lock()
	defer mu.Unlock()
	var methods []string
	for _, call := range calls {
		for _, err := range spec.Check(call.Method, call.Params, call.Form) {
			t.Errorf("%s (%s): %v", call.Method, spec.Version, err)
		}
		if !slices.Contains(methods, call.Method) {
			methods = append(methods, call.Method)
		}
	}
	slices.Sort(methods)
	want := []string{"answerCallbackQuery", "deleteWebhook", "getFile", "getMe", "getUpdates", "getWebhookInfo", "sendChatAction", "sendMessage", "setWebhook"}
	if !slices.Equal(methods, want) {
		t.Errorf("methods called: %v, want %v", methods, want)
	}
	if n := len(calls); n != 2*(1+len(messages)+1+2+2+len(files))+2 {
		t.Errorf("%d requests checked", n)
	}
	// Each file is fetched at the link getFile's documentation gives, with the path getFile answered.
	var wantDownloads []string
	for _, p := range filePaths {
		link, err := spec.FileDownloadPath(tgfake.DefaultToken, p)
		if err != nil {
			t.Fatal(err)
		}
		wantDownloads = append(wantDownloads, "GET "+link)
	}
	if len(filePaths) != 2*len(files) || !slices.Equal(downloads, wantDownloads) {
		t.Errorf("downloads %q, want %q", downloads, wantDownloads)
	}
	t.Log(fmt.Sprintf("%d requests checked against %s", len(calls), spec.Version))
}

// messenger.Message.Validate agrees with the specification on buttons: Telegram takes exactly one action per
// inline button, so a button with none or with two is refused before it is queued, and every message Validate
// lets through is a sendMessage the specification accepts.
func TestValidateRefusesAButtonTheBotAPIWouldRefuse(t *testing.T) {
	spec := apispec.TelegramForTest(t)
	for _, tc := range []struct {
		button messenger.Button
		want   string // Validate's refusal; empty: accepted
	}{
		{messenger.Button{Text: "Да", Data: "c:42:0"}, ""},
		{messenger.Button{Text: "Тарифы", URL: "https://bank.example/tariffs"}, ""},
		{messenger.Button{Text: "Отправить номер", RequestContact: true}, ""},
		{messenger.Button{Text: "Подробнее"}, `messenger: refused: button "Подробнее" has no action: it needs callback data or a URL`},
		{messenger.Button{Text: "Тарифы", URL: "https://bank.example", Data: "c:42:1"},
			`messenger: refused: button "Тарифы" has more than one action: callback data, a URL and a request for the phone exclude each other`},
		{messenger.Button{Text: "Номер", RequestContact: true, Data: "c:42:2"}, // the data would be dropped unseen
			`messenger: refused: button "Номер" has more than one action: callback data, a URL and a request for the phone exclude each other`},
	} {
		m := messenger.Message{Address: chatAt(42), Text: "Счёт", Buttons: messenger.Markup{{tc.button}}}
		err := m.Validate()
		if got := fmt.Sprint(err); tc.want == "" && err != nil || tc.want != "" && got != tc.want {
			t.Errorf("%+v: got %v, want %q", tc.button, err, tc.want)
		}
		dec := json.NewDecoder(strings.NewReader(string(appendSendMessage(nil, m))))
		dec.UseNumber()
		var params map[string]any
		if err := dec.Decode(&params); err != nil {
			t.Fatal(err)
		}
		problems := spec.Check("sendMessage", params, false)
		if err == nil && len(problems) > 0 {
			t.Errorf("%+v: Validate let through what the specification refuses: %v", tc.button, problems)
		}
		if tc.button == (messenger.Button{Text: "Подробнее"}) && len(problems) == 0 {
			t.Errorf("%+v: the specification no longer refuses a button without an action", tc.button)
		}
	}
}
