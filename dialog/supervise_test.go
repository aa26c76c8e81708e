package dialog_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"dozvon/dialog"
)

// The supervisor's board: anna answers one client in time, lets another wait past the target, and a third waits
// in the queue because she is full; boris never signed in. The board shows both late clients as breaches, today's
// figure as one in three, and anna's own figure as one in two.
func TestTheLiveBoardShowsTheTeamTheQueuesAndWhoWaitsTooLong(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 2)
	boris := d.user("boris", "operator")
	carl := d.user("carl", "operator")
	d.presence(carl, dialog.Away)
	d.user("sveta", "supervisor") // not on the team board: she never took a conversation
	inTime, late, queued := d.client("ООО Вовремя", "missed_call"), d.client("ООО Позже", "missed_call"),
		d.client("ООО Очередь", "missed_call")
	d.write(inTime, "Здравствуйте")
	d.clock.Add(10 * time.Second)
	d.reply(inTime, anna, "Слушаю вас")
	d.write(late, "Алло")
	d.write(queued, "Есть кто?")

	d.clock.Add(50 * time.Second) // both have waited 50 s: past the 45 s warning, within the 60 s target
	b, err := d.svc.LiveBoard(d.ctx, d.t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Alerts) != 2 || b.Alerts[0].Company != "ООО Позже" || b.Alerts[0].Status != "assigned" ||
		b.Alerts[0].OperatorName != "anna" || b.Alerts[0].Breached || b.Alerts[1].Company != "ООО Очередь" ||
		b.Alerts[1].Status != "waiting" || b.Alerts[1].OperatorID != nil || b.Alerts[1].QueueName != "missed_call" ||
		!b.Alerts[1].WaitingSince.Equal(d.t0.Add(10*time.Second)) || b.Alerts[1].SLATarget != time.Minute {
		t.Fatalf("alerts at 50 s = %+v", b.Alerts)
	}
	if b.SLA.Messages != 1 || b.SLA.InTarget != 1 || b.Breaches != 0 {
		t.Fatalf("sla at 50 s = %+v, breaches %d", b.SLA, b.Breaches)
	}

	d.clock.Add(20 * time.Second) // 70 s: both past the target
	b, err = d.svc.LiveBoard(d.ctx, d.t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Alerts) != 2 || !b.Alerts[0].Breached || !b.Alerts[1].Breached {
		t.Fatalf("alerts at 70 s = %+v", b.Alerts)
	}
	if b.SLA.Messages != 3 || b.SLA.InTarget != 1 || b.Breaches != 2 || fmt.Sprintf("%.1f", b.SLA.Percent()) != "33.3" {
		t.Fatalf("sla at 70 s = %+v, breaches %d", b.SLA, b.Breaches)
	}
	if b.Waiting() != 1 || b.Online() != 1 || !b.At.Equal(d.t0.Add(80*time.Second)) || b.Callbacks != 0 {
		t.Fatalf("waiting %d, online %d, at %v", b.Waiting(), b.Online(), b.At)
	}
	if len(b.Operators) != 3 || b.Operators[1].OperatorID != carl || b.Operators[1].Status != dialog.Away {
		t.Fatalf("operators = %+v, want anna (online), carl (away) and boris (never signed in)", b.Operators)
	}
	a, o := b.Operators[0], b.Operators[2]
	if a.OperatorID != anna || a.Status != dialog.Online || a.Load != 2 || a.Capacity != 2 || a.LastSeenAt == nil ||
		a.SLA.Messages != 2 || a.SLA.InTarget != 1 {
		t.Errorf("anna = %+v", a)
	}
	if o.OperatorID != boris || o.Status != dialog.Offline || o.Load != 0 || o.Capacity != 5 || o.LastSeenAt != nil {
		t.Errorf("boris = %+v", o)
	}

	// anna answers: her client leaves the alerts, the queued one stays; the day's figure does not forgive.
	d.reply(late, anna, "Извините за ожидание")
	b, err = d.svc.LiveBoard(d.ctx, d.t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Alerts) != 1 || b.Alerts[0].Company != "ООО Очередь" || b.Breaches != 2 {
		t.Fatalf("after the answer: alerts %+v, breaches %d", b.Alerts, b.Breaches)
	}
}

// A callback is a task for the bank's dialer: agreed by an operator for a time, or asked for with the client's
// button as soon as possible. The file lists the open ones for Russian Excel, with nothing a spreadsheet would
// run; done tasks leave the list.
func TestCallbackTasksAreListedExportedAndClosed(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	sup := d.user("sveta", "supervisor")
	agreed := d.client(`ООО "Рога; и копыта"`, "missed_call")
	d.exec(`UPDATE clients SET phone = '+79181234567', contact_name = '=HYPERLINK("http://evil")' WHERE id = $1`, agreed.ID)
	d.write(agreed, "Позвоните мне завтра")
	due := d.t0.Add(26 * time.Hour)
	if _, err := d.svc.RecordOutcome(d.ctx, d.conv(agreed).ID, anna, dialog.Outcome{Kind: dialog.OutcomeCallback,
		DueAt: due, Reason: "после обеда"}); err != nil {
		t.Fatal(err)
	}
	asked := d.client("ИП Кнопка", "missed_call")
	camp := d.campaign(callback("Перезвоните мне"))
	d.press(asked, fmt.Sprintf("c:%d:0", camp))

	list, err := d.svc.OpenCallbacks(d.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("open callbacks = %+v", list)
	}
	button, call := list[0], list[1]
	if b, err := d.svc.LiveBoard(d.ctx, d.t0); err != nil || b.Callbacks != 2 {
		t.Errorf("the board counts %d open callbacks (%v), want 2", b.Callbacks, err)
	}
	if button.Company != "ИП Кнопка" || button.DueAt != nil || button.Source != "client" || button.Phone != "" {
		t.Errorf("the button's task = %+v", button)
	}
	if call.Company != `ООО "Рога; и копыта"` || call.Phone != "+79181234567" || call.DueAt == nil ||
		!call.DueAt.Equal(due) || call.Operator != "anna" || call.Note != "после обеда" || call.Source != "operator" ||
		call.LocalDue().Format("02.01 15:04") != "03.03 19:00" || call.ExportedAt != nil {
		t.Errorf("the agreed task = %+v (local %v)", call, call.LocalDue())
	}

	var buf bytes.Buffer
	moscow, _ := time.LoadLocation("Europe/Moscow")
	n, err := d.svc.ExportCallbacks(d.ctx, &buf, moscow)
	if err != nil || n != 2 {
		t.Fatalf("export: %d, %v", n, err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufefftask_id;company;")) {
		t.Fatalf("no BOM or header: %q", buf.String()[:40])
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv: %d rows, %v\n%s", len(rows), err, buf.String())
	}
	row := rows[2]
	if row[1] != `ООО "Рога; и копыта"` || row[3] != `'=HYPERLINK("http://evil")` || row[4] != "'+79181234567" ||
		row[5] != "2026-03-03T12:00:00+03:00" || row[6] != "03.03.2026 19:00" || row[8] != "anna" || row[9] != "после обеда" {
		t.Errorf("the agreed task's row = %q", row)
	}
	if !strings.Contains(buf.String(), `"ООО ""Рога; и копыта"""`) {
		t.Errorf("the company is not quoted as CSV wants:\n%s", buf.String())
	}
	if got := d.int(`SELECT count(*) FROM outcomes WHERE exported_at = $1`, d.clock.Now()); got != 2 {
		t.Errorf("%d tasks marked exported, want 2", got)
	}

	if err := d.svc.CloseCallback(d.ctx, call.ID, sup); err != nil {
		t.Fatal(err)
	}
	if err := d.svc.CloseCallback(d.ctx, call.ID, sup); !errors.Is(err, dialog.ErrNoSuchCallback) {
		t.Errorf("closing it twice: %v", err)
	}
	list, err = d.svc.OpenCallbacks(d.ctx)
	if err != nil || len(list) != 1 || list[0].ID != button.ID || list[0].ExportedAt == nil {
		t.Fatalf("after closing one: %+v, %v", list, err)
	}
}

func TestDeletingAScriptRemovesItOnce(t *testing.T) {
	d := newDesk(t)
	sup := d.user("sveta", "supervisor")
	sc, err := d.svc.SaveScript(d.ctx, dialog.Script{Title: "Тарифы", Body: "{{.Company}}, тарифы такие", Shortcut: "/price"}, sup)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.svc.DeleteScript(d.ctx, sc.ID); err != nil {
		t.Fatal(err)
	}
	if err := d.svc.DeleteScript(d.ctx, sc.ID); !errors.Is(err, dialog.ErrNoSuchScript) {
		t.Fatalf("deleting again: %v", err)
	}
	if _, err := d.svc.Script(d.ctx, sc.ID); !errors.Is(err, dialog.ErrNoSuchScript) {
		t.Fatalf("the script is still there: %v", err)
	}
}

// anna left her desk with a client waiting for her answer: the supervisor marks her offline, and after the grace
// period the client goes to boris. Her last-seen time is hers, not the supervisor's.
func TestSupervisorSendsAnOperatorOfflineAndTheirWaitingClientsRequeue(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	sveta := d.user("sveta", "supervisor")
	c := d.client("ООО Ромашка", "missed_call")
	d.write(c, "алло")
	seen := d.str(`SELECT last_seen_at::text FROM operator_states WHERE user_id = $1`, anna)
	d.clock.Add(10 * time.Second)

	var in *dialog.InputError
	if err := d.svc.SendAway(d.ctx, anna, dialog.Online, sveta); !errors.As(err, &in) || in.Field != "status" {
		t.Fatalf("sending anna online: %v, want an input error", err)
	}
	if err := d.svc.SendAway(d.ctx, anna, dialog.Offline, d.operator("boris", 5)); !errors.Is(err, dialog.ErrNotSupervisor) {
		t.Fatalf("an operator sending a colleague offline: %v", err)
	}
	if err := d.svc.SendAway(d.ctx, d.user("gleb", "operator"), dialog.Away, sveta); !errors.Is(err, dialog.ErrNoOperator) {
		t.Fatalf("sending away someone who never opened the console: %v", err)
	}
	if err := d.svc.SendAway(d.ctx, anna, dialog.Offline, sveta); err != nil {
		t.Fatal(err)
	}
	if got := d.str(`SELECT status || ' ' || last_seen_at::text FROM operator_states WHERE user_id = $1`, anna); got != "offline "+seen {
		t.Fatalf("anna's state = %q, want offline, last seen %s", got, seen)
	}
	presence := d.events(dialog.EventPresence)
	last := presence[len(presence)-1]
	if p := payload(t, last); *last.OperatorID != anna || p["status"] != dialog.Offline || p["reason"] != "supervisor" {
		t.Fatalf("presence event %+v %v", last, p)
	}
	boris := d.int(`SELECT id FROM users WHERE login = 'boris'`)
	if d.operatorOf(c) != anna {
		t.Fatal("the client left anna before the grace period")
	}
	d.clock.Add(2 * time.Minute)
	if _, err := d.svc.Touch(d.ctx, boris); err != nil {
		t.Fatal(err)
	}
	if n, err := d.svc.RequeueOffline(d.ctx); err != nil || n != 1 {
		t.Fatalf("RequeueOffline = %d, %v; want 1", n, err)
	}
	if d.operatorOf(c) != boris {
		t.Fatalf("the waiting client went to %d, want boris (%d)", d.operatorOf(c), boris)
	}
}

func TestSupervisorLimitsAnOperatorsQueues(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	missed, acquiring := queueID(d, "missed_call"), queueID(d, "acquiring")
	var in *dialog.InputError
	if err := d.svc.SetQueues(d.ctx, anna, []int64{missed, 999999}); !errors.As(err, &in) || in.Field != "queues" {
		t.Fatalf("an unknown queue: %v, want an input error", err)
	}
	if err := d.svc.SetQueues(d.ctx, anna, []int64{acquiring, missed, acquiring}); err != nil {
		t.Fatal(err)
	}
	team, err := d.svc.Operators(d.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(team) != 1 || fmt.Sprint(team[0].Queues) != fmt.Sprint([]int64{missed, acquiring}) {
		t.Fatalf("team = %+v, want anna serving missed calls and acquiring", team)
	}
	c := d.client("ООО Повтор", "follow_up")
	d.write(c, "здравствуйте")
	if d.operatorOf(c) != 0 {
		t.Fatal("a follow-up went to anna, who serves missed calls and acquiring only")
	}
	if err := d.svc.SetQueues(d.ctx, anna, nil); err != nil { // none: every queue
		t.Fatal(err)
	}
	if d.operatorOf(c) != anna {
		t.Fatal("with every queue again, anna did not get the waiting follow-up")
	}
}
