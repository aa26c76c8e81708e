package operatorui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"dozvon/dialog"
	"dozvon/internal/auth"
)

// The bank's dialer takes the callback tasks with a token of its own: it reads the open ones with the client's
// phone as stored, calls, and closes each; a token issued for imports reads nothing, and the dialer's token pushes
// nothing. Every read and close is in the audit log under the token's name.
func TestDialerReadsAndClosesCallbackTasksWithItsOwnScope(t *testing.T) {
	s := newSupervisedSite(t)
	ctx := context.Background()
	op := s.ids[auth.Operator]
	if err := s.svc.SetPresence(ctx, op, dialog.Online); err != nil {
		t.Fatal(err)
	}
	conv := s.write(s.chat("ООО Ромашка", "Ирина Петровна", "+79181234567"), "Позвоните завтра после обеда")
	due := time.Now().Add(26 * time.Hour).Truncate(time.Minute).UTC()
	task, err := s.svc.RecordOutcome(ctx, conv, op, dialog.Outcome{Kind: dialog.OutcomeCallback, DueAt: due, Reason: "=после обеда"})
	if err != nil {
		t.Fatal(err)
	}

	crm, _ := s.issue("CRM")
	dialer, _ := s.issue("Dialer", auth.ScopeCallbacks)
	if status, body := s.fetch("/api/v1/callbacks", crm); status != http.StatusForbidden || !strings.Contains(body, `\"callbacks\" scope`) {
		t.Errorf("the CRM's imports token reads callbacks: %d %s", status, body)
	}
	if status, _ := s.push("/api/v1/clients", dialer, `{"records": [{"external_id": "C-1", "company_name": "ООО"}]}`); status != http.StatusForbidden {
		t.Errorf("the dialer's token pushes clients: %d", status)
	}
	if status, _ := s.fetch("/api/v1/callbacks", ""); status != http.StatusUnauthorized {
		t.Errorf("no token: %d", status)
	}

	read := func() []map[string]any {
		t.Helper()
		status, body := s.fetch("/api/v1/callbacks", dialer)
		var out struct {
			Tasks []map[string]any `json:"tasks"`
		}
		if err := json.Unmarshal([]byte(body), &out); status != http.StatusOK || err != nil {
			t.Fatalf("read: %d %s (%v)", status, body, err)
		}
		return out.Tasks
	}
	tasks := read()
	if len(tasks) != 1 {
		t.Fatalf("%d tasks, want 1", len(tasks))
	}
	got := tasks[0]
	if got["id"] != float64(task) || got["phone"] != "+79181234567" || got["company"] != "ООО Ромашка" ||
		got["contact_name"] != "Ирина Петровна" || got["note"] != "=после обеда" || got["new"] != true ||
		got["due_at"] != due.Format(time.RFC3339) || got["source"] != "operator" {
		t.Errorf("task %v", got)
	}
	if tasks = read(); len(tasks) != 1 || tasks[0]["new"] != false {
		t.Errorf("read again: %v, want the same task, no longer new", tasks)
	}

	path := "/api/v1/callbacks/" + strconv.FormatInt(task, 10) + "/done"
	if status, body := s.push(path, dialer, ""); status != http.StatusOK || !strings.Contains(body, `"done":true`) {
		t.Fatalf("close: %d %s", status, body)
	}
	if status, _ := s.push(path, dialer, ""); status != http.StatusNotFound {
		t.Errorf("closing it again: %d, want 404", status)
	}
	if status, _ := s.push("/api/v1/callbacks/abc/done", dialer, ""); status != http.StatusNotFound {
		t.Errorf("a malformed id: %d, want 404", status)
	}
	if tasks = read(); len(tasks) != 0 {
		t.Errorf("after closing: %v", tasks)
	}
	var doneBy *int64
	if err := s.Pool.QueryRow(ctx, `SELECT done_by FROM outcomes WHERE id = $1 AND done_at IS NOT NULL`, task).Scan(&doneBy); err != nil || doneBy != nil {
		t.Errorf("the task is not closed by a system: %v, %v", doneBy, err)
	}
	var audit string
	if err := s.Pool.QueryRow(ctx, `SELECT string_agg(actor || ' ' || action, ', ' ORDER BY id) FROM audit_log
		WHERE action LIKE 'callbacks.%'`).Scan(&audit); err != nil || audit != "Dialer callbacks.export, Dialer callbacks.export, Dialer callbacks.done, Dialer callbacks.export" {
		t.Errorf("audit: %q, %v", audit, err)
	}
}
