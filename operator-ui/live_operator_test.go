package operatorui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dozvon/dialog"
	"dozvon/internal/auth"
)

// operatorState is what the dialog holds of an operator: status, capacity and queues, as text.
func (s *supervised) operatorState(id int64) string {
	s.t.Helper()
	var state string
	err := s.Pool.QueryRow(context.Background(), `SELECT status || ' ' || capacity || ' ' || queues::text
		FROM operator_states WHERE user_id = $1`, id).Scan(&state)
	if err != nil {
		s.t.Fatal(err)
	}
	return state
}

func (s *supervised) audited(action string) []string {
	s.t.Helper()
	rows, err := s.Pool.Query(context.Background(), `SELECT actor || ' ' || object || ' ' || detail::text FROM audit_log
		WHERE action = $1 ORDER BY id`, action)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var l string
		_ = rows.Scan(&l)
		out = append(out, l)
	}
	return out
}

func postForm(t *testing.T, c *http.Client, u string, form url.Values) (int, string) {
	t.Helper()
	res, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestOperatorSettingsAreForSupervisorsOnly(t *testing.T) {
	s := newSupervisedSite(t)
	op := s.ids[auth.Operator]
	if err := s.svc.SetPresence(context.Background(), op, dialog.Online); err != nil {
		t.Fatal(err)
	}
	before := s.operatorState(op)
	base := fmt.Sprintf("/live/operators/%d", op)
	for _, role := range []auth.Role{auth.Operator, auth.Manager} {
		c := s.loggedIn(role)
		if res, _ := s.get(c, base); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s as %s: %d, want 403", base, role, res.StatusCode)
		}
		for path, form := range map[string]url.Values{
			"/capacity": {"capacity": {"9"}}, "/queues": {"queue": {"1"}}, "/presence": {"status": {"offline"}},
		} {
			if res := s.post(c, base+path, form); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s as %s: %d, want 403", base+path, role, res.StatusCode)
			}
		}
	}
	if got := s.operatorState(op); got != before {
		t.Fatalf("refused changes changed the operator: %q, was %q", got, before)
	}
	if got := s.audited("operator.capacity"); len(got) != 0 {
		t.Fatalf("refused changes were audited: %v", got)
	}
	sup := s.loggedIn(auth.Supervisor)
	if res, _ := s.get(sup, fmt.Sprintf("/live/operators/%d", s.ids[auth.Manager])); res.StatusCode != http.StatusNotFound {
		t.Errorf("a manager's settings: %d, want 404", res.StatusCode)
	}
	if res := s.post(sup, "/live/operators/999999/capacity", url.Values{"capacity": {"3"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("nobody's capacity: %d, want 404", res.StatusCode)
	}
}

// A supervisor sets an operator's capacity and queues from the live view, and marks them offline when they left
// their desk; each mistake is explained on the page, in the supervisor's language, and each change is audited.
func TestSupervisorSetsCapacityQueuesAndPresenceOfAnOperator(t *testing.T) {
	s := newSupervisedSite(t)
	ctx := context.Background()
	op := s.ids[auth.Operator]
	if err := s.svc.SetPresence(ctx, op, dialog.Online); err != nil {
		t.Fatal(err)
	}
	sup := s.loggedIn(auth.Supervisor)
	base := s.URL + fmt.Sprintf("/live/operators/%d", op)

	_, board := s.get(sup, "/live")
	if !strings.Contains(board, fmt.Sprintf(`href="/live/operators/%d"`, op)) {
		t.Fatal("the live view has no link to the operator's settings")
	}
	res, page := s.get(sup, fmt.Sprintf("/live/operators/%d", op))
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "Operator operator1") ||
		!strings.Contains(page, `value="5"`) || !strings.Contains(page, "Now: every queue.") {
		t.Fatalf("the settings page: %d\n%s", res.StatusCode, page)
	}

	for _, c := range []struct{ path, field, value, want string }{
		{"/capacity", "capacity", "0", "Capacity must be a whole number from 1 to 50."},
		{"/capacity", "capacity", "51", "Capacity must be a whole number from 1 to 50."},
		{"/capacity", "capacity", "five", "Capacity must be a whole number from 1 to 50."},
		{"/queues", "queue", "999999", "Choose queues from the list."},
		{"/queues", "queue", "x", "Choose queues from the list."},
		{"/presence", "status", "online", "Choose Away or Offline."},
		{"/presence", "status", "", "Choose Away or Offline."},
	} {
		status, body := postForm(t, sup, base+c.path, url.Values{c.field: {c.value}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("%s %s=%q: %d, want 422 with %q", c.path, c.field, c.value, status, c.want)
		}
	}
	if got := s.operatorState(op); got != "online 5 {}" {
		t.Fatalf("refused changes changed the operator: %q", got)
	}
	s.post(sup, "/account/locale", url.Values{"locale": {"ru"}})
	if status, body := postForm(t, sup, base+"/capacity", url.Values{"capacity": {"0"}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "Лимит — целое число от 1 до 50.") || !strings.Contains(body, `value="0"`) {
		t.Errorf("in Russian: %d, want the Russian message with the input kept", status)
	}
	s.post(sup, "/account/locale", url.Values{"locale": {"en"}})

	var missed, acquiring int64
	if err := s.Pool.QueryRow(ctx, `SELECT (SELECT id FROM queues WHERE name = 'missed_call'),
		(SELECT id FROM queues WHERE name = 'acquiring')`).Scan(&missed, &acquiring); err != nil {
		t.Fatal(err)
	}
	if res := s.post(sup, "/live/operators/"+fmt.Sprint(op)+"/capacity", url.Values{"capacity": {" 12 "}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("capacity: %d", res.StatusCode)
	}
	if res := s.post(sup, "/live/operators/"+fmt.Sprint(op)+"/queues",
		url.Values{"queue": {fmt.Sprint(acquiring), fmt.Sprint(missed)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("queues: %d", res.StatusCode)
	}
	if got, want := s.operatorState(op), fmt.Sprintf("online 12 {%d,%d}", missed, acquiring); got != want {
		t.Fatalf("operator = %q, want %q", got, want)
	}
	_, page = s.get(sup, fmt.Sprintf("/live/operators/%d", op))
	if !strings.Contains(page, "operator1: queues saved.") || strings.Contains(page, "Now: every queue.") ||
		strings.Count(page, `checked data-testid="f-queue"`) != 2 {
		t.Errorf("the page after saving queues does not show them")
	}

	// The operator left with a client waiting for an answer: marked offline, they keep it for the grace period.
	conv := s.write(s.chat("ООО Ромашка", "", ""), "Здравствуйте")
	if _, who, _ := s.statusOf(conv); who == nil || *who != op {
		t.Fatalf("the client went to %v, want operator1", who)
	}
	if res := s.post(sup, "/live/operators/"+fmt.Sprint(op)+"/presence", url.Values{"status": {"offline"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("presence: %d", res.StatusCode)
	}
	if got := s.operatorState(op); !strings.HasPrefix(got, "offline 12 ") {
		t.Fatalf("operator = %q, want offline", got)
	}
	if status, _, _ := s.statusOf(conv); status != "assigned" {
		t.Fatalf("the dialog is %s before the grace period ends", status)
	}
	_, page = s.get(sup, fmt.Sprintf("/live/operators/%d", op))
	if !strings.Contains(page, "operator1 is now: Offline.") || !strings.Contains(page, `data-testid="mark-offline" disabled`) {
		t.Error("the page does not confirm the operator is offline")
	}
	// With the sessions' clock moved past the grace period, the dialog goes back to the queue.
	if _, err := s.Pool.Exec(ctx, `UPDATE operator_states SET changed_at = changed_at - interval '3 minutes',
		last_seen_at = last_seen_at - interval '3 minutes' WHERE user_id = $1`, op); err != nil {
		t.Fatal(err)
	}
	if n, err := s.svc.RequeueOffline(ctx); err != nil || n != 1 {
		t.Fatalf("RequeueOffline = %d, %v; want 1", n, err)
	}
	if status, who, _ := s.statusOf(conv); status != "waiting" || who != nil {
		t.Fatalf("after the grace period the dialog is %s with %v, want waiting", status, who)
	}

	want := map[string]string{
		"operator.capacity": `supervisor1 operator ` + fmt.Sprint(op) + ` {"was": 5, "capacity": 12, "operator_id": ` + fmt.Sprint(op) + `}`,
		"operator.queues": fmt.Sprintf(`supervisor1 operator %d {"was": [], "queues": [%d, %d], "operator_id": %d}`,
			op, acquiring, missed, op),
		"operator.presence": fmt.Sprintf(`supervisor1 operator %d {"was": "online", "status": "offline", "operator_id": %d}`, op, op),
	}
	for action, line := range want {
		if got := s.audited(action); len(got) != 1 || got[0] != line {
			t.Errorf("audit %s = %q, want [%q]", action, got, line)
		}
	}

	// Someone who never opened the console is offline already.
	newcomer := s.addOperator("newcomer")
	status, body := postForm(t, sup, s.URL+fmt.Sprintf("/live/operators/%d/presence", newcomer), url.Values{"status": {"away"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "has never opened the console") {
		t.Errorf("a newcomer sent away: %d", status)
	}
}
