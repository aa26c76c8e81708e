package operatorui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"dozvon/dialog"
	"dozvon/internal/auth"
)

// A supervisor in Vladivostok reads a dialog, the live board's "last seen" and the reported dialogs on her own
// clock, the zone named; a colleague who chose no zone reads the same moments in the installation's (Moscow).
func TestTheSupervisorReadsDialogsAndTheBoardOnHerOwnClock(t *testing.T) {
	s := newSupervisedSite(t)
	ctx := context.Background()
	conv := s.write(s.chat("ООО Ромашка", "", ""), "Здравствуйте")
	op := s.ids[auth.Operator]
	if err := s.svc.SetPresence(ctx, op, dialog.Online); err != nil {
		t.Fatal(err)
	}
	written := time.Date(2026, 3, 12, 0, 30, 0, 0, time.UTC) // 03:30 in Moscow, 10:30 in Vladivostok
	if _, err := s.Pool.Exec(ctx, `
		WITH m AS (UPDATE conversation_messages SET created_at = $2 WHERE conversation_id = $1)
		UPDATE conversations SET opened_at = $2, status = 'closed', closed_at = $2 + interval '5 minutes' WHERE id = $1`,
		conv, written); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool.Exec(ctx, `UPDATE operator_states SET last_seen_at = $2 WHERE user_id = $1`,
		op, written.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}

	sup := s.loggedIn(auth.Supervisor)
	if res := s.post(sup, "/account/timezone", url.Values{"timezone": {"Asia/Vladivostok"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set the zone: %d", res.StatusCode)
	}
	admin := s.loggedIn(auth.Admin) // no zone of their own: the installation's
	for _, c := range []struct {
		who                              string
		client                           *http.Client
		message, lastSeen, opened, close string
	}{
		{"the supervisor in Vladivostok", sup, "12.03.2026 10:30 UTC+10", "12.03.2026 10:31 UTC+10",
			"12.03.2026 10:30 UTC+10", "12.03.2026 10:35 UTC+10"},
		{"the administrator", admin, "12.03.2026 03:30 MSK", "12.03.2026 03:31 MSK",
			"12.03.2026 03:30 MSK", "12.03.2026 03:35 MSK"},
	} {
		esc := func(s string) string { return strings.ReplaceAll(s, "+", "&#43;") } // as html/template writes +
		_, page := s.get(c.client, fmt.Sprintf("/live/dialogs/%d", conv))
		if want := `<span class="meta">Ирина · ` + esc(c.message) + `</span>`; !strings.Contains(page, want) {
			t.Errorf("%s: the dialog's message is not shown at %s", c.who, c.message)
		}
		_, body := s.get(c.client, "/live/api/snapshot")
		var board struct {
			Operators []struct {
				Name     string `json:"name"`
				LastSeen string `json:"last_seen"`
			} `json:"operators"`
		}
		if err := json.Unmarshal([]byte(body), &board); err != nil {
			t.Fatal(err)
		}
		if len(board.Operators) != 1 || board.Operators[0].LastSeen != c.lastSeen {
			t.Errorf("%s: the board's operators %+v, want operator1 last seen %s", c.who, board.Operators, c.lastSeen)
		}
		_, page = s.get(c.client, fmt.Sprintf("/live/operators/%d", op))
		if !strings.Contains(page, "<dd>"+esc(c.lastSeen)+"</dd>") {
			t.Errorf("%s: the operator's page does not say last seen %s", c.who, c.lastSeen)
		}
		_, page = s.get(c.client, "/reports/dialogs?by=closed&from=2026-03-11&to=2026-03-13")
		if !strings.Contains(page, "<td>"+esc(c.opened)+"</td>") || !strings.Contains(page, `<small class="muted">`+esc(c.close)+`</small>`) {
			t.Errorf("%s: the reported dialog is not shown opened at %s and closed at %s", c.who, c.opened, c.close)
		}
	}
}
