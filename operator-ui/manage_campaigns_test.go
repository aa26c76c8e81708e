package operatorui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"dozvon/internal/auth"
	"dozvon/messenger/telegram/tgfake"
)

// The preview follows the form as it is typed: the text on the audience's first lead, the buttons, and why
// Telegram would refuse a text — nothing saved.
func TestMessagePreviewFollowsTheFormAsItIsTyped(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	s.missedCallLead("ООО Ромашка", "", "Москва", 501)
	form := campaignForm(func(v url.Values) { v.Set("body", "Добрый день, <i>{{.Company}}</i>!") })
	res, body := s.postPage(c, "/campaigns/api/preview", form)
	got := decode[struct {
		HTML, Who, Error string
		Buttons          [][]string
	}](t, body)
	if res.StatusCode != http.StatusOK || got.HTML != "Добрый день, <em>ООО Ромашка</em>!" || got.Who != "As ООО Ромашка will see it — the first lead of the audience." ||
		fmt.Sprint(got.Buttons) != "[[Продолжить в чате] [Отписаться]]" || got.Error != "" {
		t.Errorf("preview: %d %+v\n%s", res.StatusCode, got, body)
	}
	_, body = s.postPage(c, "/campaigns/api/preview", campaignForm(func(v url.Values) { v.Set("body", "Скидка <b>50%") }))
	if got := decode[struct{ HTML, Error string }](t, body); got.Error == "" || got.HTML != "" {
		t.Errorf("an unclosed tag: %+v", got)
	}
	var n int
	if err := s.Pool.QueryRow(context.Background(), `SELECT count(*) FROM campaigns`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the preview saved %d campaigns (%v)", n, err)
	}
}

// "Send a test" sends the text of the lead the manager picked, not the first one's, and says whose text went
// to whom; "Run now" asks first, with the audience.
func TestTestMessageIsTheChosenLeadsTextAndRunNowAsksFirst(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	s.missedCallLead("ООО Ромашка", "", "Москва", 501)
	second := s.missedCallLead("ИП Лютиков", "+79181234567", "Москва", 0)
	anna := s.Sim.AddUser(tgfake.User{FirstName: "Anna", LastName: "Test"})
	id := s.createCampaign(c, campaignForm(nil))
	path := "/campaigns/" + strconv.FormatInt(id, 10)

	_, body := s.get(c, path)
	if !strings.Contains(body, fmt.Sprintf(`<option value="%d">ИП Лютиков · Ирина Петровна</option>`, second)) {
		t.Error("the second lead is not offered for the test")
	}
	if !strings.Contains(body, `data-confirm="Run the campaign now? It writes to 1 clients in their chats and invites 1 more by link."`) {
		t.Error("Run now does not ask with the audience")
	}
	if testid(t, body, "campaign-status") != "Draft" {
		t.Errorf("a new campaign is %q", testid(t, body, "campaign-status"))
	}
	res := s.post(c, path+"/test", url.Values{"chat_id": {strconv.FormatInt(anna.ID, 10)}, "lead_id": {strconv.FormatInt(second, 10)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send a test: %d", res.StatusCode)
	}
	var text string
	if err := s.Pool.QueryRow(context.Background(), `SELECT text FROM outbox WHERE chat_id = $1`, anna.ID).Scan(&text); err != nil ||
		text != "Здравствуйте, Ирина Петровна! Счёт для <b>ИП Лютиков</b> ждёт." {
		t.Errorf("the test carried %q (%v)", text, err)
	}
	if _, body = s.get(c, path); testid(t, body, "flash") != "The message for ИП Лютиков (Ирина Петровна) is queued to Anna Test." {
		t.Errorf("flash %q", testid(t, body, "flash"))
	}
	if res, body := s.postPage(c, path+"/test", url.Values{"chat_id": {strconv.FormatInt(anna.ID, 10)}, "lead_id": {"999999"}}); res.StatusCode != 422 ||
		!strings.Contains(errorOf(body), "That lead is not one this campaign writes to") {
		t.Errorf("a test for a lead of nobody: %d %q", res.StatusCode, errorOf(body))
	}

	// Once run by hand, the draft is shown as such.
	if res := s.post(c, path+"/run", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("run: %d", res.StatusCode)
	}
	if _, body = s.get(c, path); testid(t, body, "campaign-status") != "Run by hand" {
		t.Errorf("after a run by hand the campaign is %q", testid(t, body, "campaign-status"))
	}
}
