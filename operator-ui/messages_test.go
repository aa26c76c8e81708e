package operatorui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dozvon/internal/auth"
)

// A manager who works in Russian gets the campaigns engine's refusal in Russian — beside the field, in the
// page's alert and in the schedule's live preview — with what they typed quoted as they typed it.
func TestRussianManagerReadsTheScheduleMistakeInRussian(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	s.post(c, "/account/locale", url.Values{"locale": {"ru"}})

	res, body := s.postPage(c, "/campaigns", campaignForm(func(v url.Values) { v.Set("schedule", "every day") }))
	const want = `&#34;every day&#34; — не расписание: нужно ровно 5 полей, а найдено 2: [every day] ` +
		`(пример: &#34;CRON_TZ=Europe/Moscow 0 10 * * 1-5&#34; — по будням в 10:00)`
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	if got := errorOf(body); got != "Исправьте «Расписание»: "+want {
		t.Errorf("alert %q\nwant %q", got, "Исправьте «Расписание»: "+want)
	}
	if got := testid(t, body, "schedule-error"); got != want {
		t.Errorf("beside the field %q\nwant %q", got, want)
	}

	status, raw := s.call(c, http.MethodGet, "/campaigns/api/schedule?expr="+url.QueryEscape("* * * * *"), nil)
	if status != http.StatusUnprocessableEntity ||
		!strings.Contains(raw, `срабатывает каждые 1m0s; между запусками нужно не меньше 15 минут`) ||
		!strings.Contains(raw, `"message":{"code":"campaigns.schedule_often","args":["* * * * *","1m0s",15],"field":"schedule"}`) {
		t.Errorf("every minute: %d %s", status, raw)
	}
}

// The import's problems read in Russian for a manager who works in it: on the preview's cell, on the import's
// page and in the file of rejected rows — with the value and field name as the file has them.
func TestRussianManagerReadsImportProblemsInRussian(t *testing.T) {
	s := newSite(t)
	c := s.loggedIn(auth.Manager)
	s.post(c, "/account/locale", url.Values{"locale": {"ru"}})
	preview := s.uploaded(c, "clients", "clients.csv", clientsExport(t))

	_, body := s.get(c, preview)
	if !strings.Contains(body, `<td class="cell-bad">77071234<small class="cell-problem" data-testid="cell-problem">inn: &#34;77071234&#34; — нужно 10 или 12 цифр</small></td>`) {
		t.Error("the INN of line 3 is not explained in Russian")
	}

	id := s.startImport(c, preview, importForm("clients", exportHeaders,
		[]string{"external_id", "inn", "company_name", "phone", "region", "extra"}, nil))
	s.pollUntilEnded(c, id)
	_, body = s.get(c, fmt.Sprintf("/imports/jobs/%d", id))
	if got := testid(t, body, "problem-reason"); got != "нужно 10 или 12 цифр" {
		t.Errorf("problem-reason = %q", got)
	}
	_, csv := s.get(c, fmt.Sprintf("/imports/jobs/%d/problems.csv", id))
	if want := "\ufeffline;field;column;value;reason\n3;inn;ИНН;77071234;нужно 10 или 12 цифр\n"; csv != want {
		t.Errorf("problems.csv:\n%q\nwant\n%q", csv, want)
	}
}
