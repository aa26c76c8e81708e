package dialog_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"dozvon/dialog"
)

func (d *desk) alarmTick() (raised, cleared int) {
	d.t.Helper()
	raised, cleared, err := d.svc.AlarmTick(d.ctx)
	if err != nil {
		d.t.Fatal(err)
	}
	return raised, cleared
}

func (d *desk) alarms() map[string]dialog.Alarm {
	d.t.Helper()
	list, err := d.svc.Alarms(d.ctx)
	if err != nil {
		d.t.Fatal(err)
	}
	out := map[string]dialog.Alarm{}
	for _, a := range list {
		out[a.Kind] = a
	}
	return out
}

// A client writes while no operator is online: the alarm is raised once however many instances look, says since
// when, and is acknowledged by a supervisor only. Another client writing after the acknowledgement raises a new
// alarm (which sounds again); the first minute passing unanswered raises the SLA alarm; an operator coming online
// ends the first, and answering ends the second.
func TestAClientWaitingWithNobodyOnlineRaisesAnAlarmUntilAnOperatorComes(t *testing.T) {
	d := newDesk(t)
	olga := d.user("olga", "supervisor")
	anna := d.operator("anna", 5)
	d.presence(anna, dialog.Offline)
	d.clock.Add(10 * time.Second)
	first := d.client("ООО Ромашка", "missed_call")
	d.write(first, "Здравствуйте")

	var wg sync.WaitGroup // three instances look at once: one alarm
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := d.service().AlarmTick(d.ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	d.alarmTick()
	if n := d.int(`SELECT count(*) FROM live_alarms`); n != 1 {
		t.Fatalf("%d alarms after four looks, want 1", n)
	}
	a := d.alarms()[dialog.AlarmNoOperator]
	if a.ID == 0 || a.Count != 1 || !a.Since.Equal(d.t0.Add(10*time.Second)) || a.AcknowledgedAt != nil {
		t.Fatalf("no operator alarm %+v, want 1 client since t0+10s, unacknowledged", a)
	}

	if err := d.svc.AcknowledgeAlarm(d.ctx, a.ID, anna); !errors.Is(err, dialog.ErrNotSupervisor) {
		t.Errorf("an operator acknowledges: %v", err)
	}
	d.clock.Add(5 * time.Second)
	if err := d.svc.AcknowledgeAlarm(d.ctx, a.ID, olga); err != nil {
		t.Fatal(err)
	}
	if err := d.svc.AcknowledgeAlarm(d.ctx, a.ID, olga); !errors.Is(err, dialog.ErrNoAlarm) {
		t.Errorf("acknowledged twice: %v", err)
	}
	if r, c := d.alarmTick(); r != 0 || c != 0 {
		t.Errorf("a tick after the acknowledgement: %d raised, %d cleared", r, c)
	}
	acked := d.alarms()[dialog.AlarmNoOperator]
	if acked.ID != a.ID || acked.AcknowledgedBy != "olga" || !acked.AcknowledgedAt.Equal(d.t0.Add(15*time.Second)) {
		t.Fatalf("after the acknowledgement %+v, want olga at t0+15s", acked)
	}

	d.clock.Add(5 * time.Second)
	d.write(d.client("ООО Лютик", "missed_call"), "Добрый день")
	if r, c := d.alarmTick(); r != 1 || c != 1 {
		t.Errorf("a new client after the acknowledgement: %d raised, %d cleared; want the alarm anew", r, c)
	}
	again := d.alarms()[dialog.AlarmNoOperator]
	if again.ID == a.ID || again.AcknowledgedAt != nil || again.Count != 2 || !again.Since.Equal(d.t0.Add(20*time.Second)) {
		t.Errorf("the new alarm %+v, want unacknowledged, 2 clients, since the new one wrote", again)
	}

	d.clock.Add(51 * time.Second) // the first client has waited 61 s
	d.alarmTick()
	breach := d.alarms()[dialog.AlarmSLABreach]
	if breach.Count != 1 || !breach.Since.Equal(d.t0.Add(70*time.Second)) {
		t.Errorf("SLA alarm %+v, want 1 dialog since t0+70s", breach)
	}

	d.presence(anna, dialog.Online)
	if _, c := d.alarmTick(); c != 1 {
		t.Errorf("an operator online: %d cleared, want the no-operator alarm", c)
	}
	if _, open := d.alarms()[dialog.AlarmNoOperator]; open {
		t.Error("the no-operator alarm is still open with anna online")
	}
	if d.conv(first).OperatorID == nil {
		t.Fatal("the first client's conversation was not assigned to anna")
	}
	d.reply(first, anna, "Слушаю вас")
	d.alarmTick()
	if len(d.alarms()) != 0 {
		t.Errorf("alarms left after anna answered: %+v", d.alarms())
	}
	var states []string
	for _, e := range d.events(dialog.EventAlarm) {
		states = append(states, payload(t, e)["state"].(string))
	}
	want := []string{"raised", "acknowledged", "cleared", "raised", "raised", "cleared", "cleared"}
	if len(states) != len(want) {
		t.Fatalf("alarm events %v, want %v", states, want)
	}
	for i := range want {
		if states[i] != want[i] {
			t.Fatalf("alarm events %v, want %v", states, want)
		}
	}
}

// A queue with at least its threshold of clients waiting raises its alarm; a supervisor raises the threshold and
// the alarm ends. Only supervisors change it, within bounds.
func TestAQueueAtItsThresholdRaisesAnAlarm(t *testing.T) {
	d := newDesk(t)
	olga := d.user("olga", "supervisor")
	anna := d.operator("anna", 5)
	d.presence(anna, dialog.Away) // clients wait in the queue
	missed := queueID(d, "missed_call")
	if err := d.svc.SetAlarmThreshold(d.ctx, missed, 2, anna); !errors.Is(err, dialog.ErrNotSupervisor) {
		t.Errorf("an operator sets the threshold: %v", err)
	}
	var in *dialog.InputError
	if err := d.svc.SetAlarmThreshold(d.ctx, missed, 0, olga); !errors.As(err, &in) {
		t.Errorf("threshold 0: %v", err)
	}
	if err := d.svc.SetAlarmThreshold(d.ctx, missed, 2, olga); err != nil {
		t.Fatal(err)
	}
	d.write(d.client("ООО Ромашка", "missed_call"), "Здравствуйте")
	d.alarmTick()
	if _, open := d.alarms()[dialog.AlarmQueueOver]; open {
		t.Fatal("one client of a threshold of 2 raised the queue's alarm")
	}
	d.clock.Add(3 * time.Second)
	d.write(d.client("ООО Лютик", "missed_call"), "Добрый день")
	d.alarmTick()
	a := d.alarms()[dialog.AlarmQueueOver]
	if a.QueueID == nil || *a.QueueID != missed || a.QueueName != "missed_call" || a.Count != 2 ||
		!a.Since.Equal(d.t0.Add(3*time.Second)) {
		t.Fatalf("queue alarm %+v, want missed_call with 2 since the second came", a)
	}
	if err := d.svc.SetAlarmThreshold(d.ctx, missed, 3, olga); err != nil {
		t.Fatal(err)
	}
	if th, err := d.svc.AlarmThresholds(d.ctx); err != nil || th[missed] != 3 {
		t.Fatalf("thresholds %v, %v", th, err)
	}
	d.alarmTick()
	if _, open := d.alarms()[dialog.AlarmQueueOver]; open {
		t.Error("the queue's alarm stayed open after its threshold was raised above its length")
	}
}
