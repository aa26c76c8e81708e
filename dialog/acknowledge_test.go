package dialog_test

import (
	"fmt"
	"testing"

	"dozvon/dialog"
	"dozvon/messenger"
)

// botSaid is every text the bot queued for the chat, oldest first.
func (d *desk) botSaid(c client) []string {
	d.t.Helper()
	rows, err := d.pool.Query(d.ctx, `SELECT text FROM outbox WHERE chat_id = $1 AND campaign_id IS NULL ORDER BY id`,
		c.ChatID)
	if err != nil {
		d.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			d.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// pressAs is the client pressing a button in one update, which Telegram may deliver more than once.
func (d *desk) pressAs(c client, update int64, data string) {
	d.t.Helper()
	d.inbound(messenger.Inbound{InboxID: update, Chat: c.chat(),
		CallbackData: data, At: d.clock.Now()})
}

func TestAClientWhoAsksForAPersonIsToldOnceAManagerWillWriteAndWaitsForOne(t *testing.T) {
	d := newDesk(t)
	camp := d.campaign(route("Да, напишите мне"))
	c := d.client("ООО Ромашка", "missed_call")
	press := fmt.Sprintf("c:%d:0", camp)

	d.pressAs(c, 9001, press)
	d.pressAs(c, 9001, press) // Telegram delivers the same press again
	ack := messenger.Escape(d.svc.AckWrite)
	if got := d.botSaid(c); len(got) != 1 || got[0] != ack {
		t.Fatalf("the bot said %q, want the one acknowledgement %q", got, ack)
	}
	cv := d.conv(c)
	if cv.Status != "waiting" || cv.WaitingSince == nil || !cv.WaitingSince.Equal(d.t0) {
		t.Fatalf("the conversation is %s waiting since %v; want it in the queue with the clock running from the press",
			cv.Status, cv.WaitingSince)
	}
	var got []string
	for _, m := range cv.Messages {
		got = append(got, m.Direction+":"+m.Text)
	}
	if want := "[in:Да, напишите мне out:" + d.svc.AckWrite + "]"; fmt.Sprint(got) != want {
		t.Fatalf("messages = %v\nwant       %s", got, want)
	}
	if n := d.int(`SELECT count(*) FROM conversation_messages WHERE conversation_id = $1 AND sla AND answered_at IS NULL`,
		cv.ID); n != 1 {
		t.Fatalf("%d client messages wait for an operator, want the press: the bot's acknowledgement is no answer", n)
	}

	d.pressAs(c, 9002, press) // a second press is a second question
	if got := d.botSaid(c); len(got) != 2 {
		t.Fatalf("after a second press the bot said %q, want two acknowledgements", got)
	}
}

func TestACallbackRequestIsATaskForTheDialerAndNeverWaitsInAnOperatorsQueue(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	camp := d.campaign(callback("Перезвоните мне"))
	press := fmt.Sprintf("c:%d:0", camp)
	known := d.client("ООО Ромашка", "missed_call")
	d.exec(`UPDATE clients SET phone = '+79181234567' WHERE id = $1`, known.ID)
	unknown := d.client("ИП Кнопка", "missed_call")

	d.pressAs(known, 9101, press)
	d.pressAs(known, 9101, press) // redelivered
	d.pressAs(unknown, 9102, press)

	if got := d.botSaid(known); len(got) != 1 || got[0] != messenger.Escape(d.svc.AckCallback) {
		t.Fatalf("the client with a phone was told %q, want the one acknowledgement", got)
	}
	if got := d.botSaid(unknown); len(got) != 1 ||
		got[0] != messenger.Escape(d.svc.AckCallback+" Напишите, пожалуйста, номер телефона, по которому удобно позвонить.") {
		t.Fatalf("the client without a phone was told %q, want the acknowledgement asking for a number", got)
	}
	for _, c := range []client{known, unknown} {
		cv := d.conv(c)
		if cv.Status != "bot" || cv.OperatorID != nil || cv.WaitingSince != nil {
			t.Fatalf("%d: the conversation is %s with operator %v waiting since %v; want it with the bot", c.ChatID,
				cv.Status, cv.OperatorID, cv.WaitingSince)
		}
		if n := d.int(`SELECT count(*) FROM conversation_messages WHERE conversation_id = $1 AND sla`, cv.ID); n != 0 {
			t.Fatalf("%d messages run an SLA clock, want none", n)
		}
	}
	if n := len(d.events(dialog.EventWaiting)); n != 0 {
		t.Fatalf("%d waiting events, want none", n)
	}
	mine, err := d.svc.OperatorDialogs(d.ctx, anna)
	if err != nil || len(mine) != 0 {
		t.Fatalf("anna has %d dialogs (%v), want none: calling is the dialer's job", len(mine), err)
	}
	if d.int(`SELECT count(*) FROM conversations WHERE status = 'waiting'`) != 0 {
		t.Fatal("a conversation waits in a queue")
	}
	tasks, err := d.svc.OpenCallbacks(d.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 2 || tasks[0].Company != "ООО Ромашка" || tasks[0].Phone != "+79181234567" ||
		tasks[0].Source != "client" || tasks[1].Company != "ИП Кнопка" || tasks[1].Phone != "" {
		t.Fatalf("callback tasks = %+v, want one per client for the dialer", tasks)
	}

	d.write(unknown, "+7 918 765-43-21") // the number goes to a person, who adds it to the task
	if cv := d.conv(unknown); cv.Status != "assigned" || *cv.OperatorID != anna {
		t.Fatalf("the client's number: %s, operator %v; want it with anna", cv.Status, cv.OperatorID)
	}
}
