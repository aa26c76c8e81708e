package dialog_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"dozvon/dialog"
)

func TestAClientWhoWritesWaitsInTheQueueOfTheirLeadKind(t *testing.T) {
	d := newDesk(t)
	missed := d.client("ООО Ромашка", "missed_call")
	acq := d.client("ИП Иванов", "acquiring")
	d.write(missed, "Здравствуйте, по заявке")
	d.write(acq, "Что за эквайринг?")

	m, a := d.conv(missed), d.conv(acq)
	if m.Status != "waiting" || *m.QueueID != queueID(d, "missed_call") || !m.WaitingSince.Equal(d.t0) {
		t.Fatalf("missed-call conversation = %+v", m)
	}
	if a.Status != "waiting" || *a.QueueID != queueID(d, "acquiring") {
		t.Fatalf("acquiring conversation = %+v", a)
	}
	if *m.LeadID != missed.LeadID || *m.ClientID != missed.ID {
		t.Fatalf("conversation is tied to lead %v client %v, want %d %d", m.LeadID, m.ClientID, missed.LeadID, missed.ID)
	}
	if got := d.str(`SELECT status FROM leads WHERE id = $1`, missed.LeadID); got != "replied" {
		t.Fatalf("lead status = %s, want replied", got)
	}
	waiting := d.events(dialog.EventWaiting)
	if len(waiting) != 2 || *waiting[0].QueueID != queueID(d, "missed_call") || waiting[0].OperatorID != nil {
		t.Fatalf("waiting events = %+v", waiting)
	}
}

func TestWaitingConversationsGoToTheLeastLoadedOnlineOperator(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	d.write(d.client("Первый", "missed_call"), "1")
	d.write(d.client("Второй", "missed_call"), "2")
	boris := d.operator("boris", 5)
	away := d.operator("vera", 5)
	d.presence(away, dialog.Away)

	third := d.client("Третий", "missed_call")
	d.write(third, "3")
	if got := d.operatorOf(third); got != boris {
		t.Fatalf("third client went to operator %d, want boris (%d): anna has 2, boris 0, vera is away", got, boris)
	}
	fourth := d.client("Четвёртый", "missed_call")
	d.write(fourth, "4")
	if got := d.operatorOf(fourth); got != boris {
		t.Fatalf("fourth client went to %d, want boris (%d) with 1 against anna's 2", got, boris)
	}
	fifth := d.client("Пятый", "missed_call")
	d.write(fifth, "5")
	// 2 against 2: the one who has waited longer for a new conversation (anna) gets it.
	if got := d.operatorOf(fifth); got != anna {
		t.Fatalf("fifth client went to %d, want anna (%d)", got, anna)
	}
	assigned := d.events(dialog.EventAssigned)
	if len(assigned) != 5 || *assigned[4].OperatorID != anna || payload(t, assigned[4])["reason"] != dialog.ReasonAuto {
		t.Fatalf("assigned events = %d, last %+v", len(assigned), assigned[len(assigned)-1])
	}
}

func TestAnOperatorIsNeverGivenMoreThanTheirCapacity(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 2)
	a, b, c := d.client("A", "missed_call"), d.client("B", "missed_call"), d.client("C", "missed_call")
	d.write(a, "a")
	d.write(b, "b")
	d.write(c, "c")
	if d.operatorOf(a) != anna || d.operatorOf(b) != anna || d.conv(c).Status != "waiting" {
		t.Fatalf("a→%d b→%d c is %s: want anna, anna, waiting", d.operatorOf(a), d.operatorOf(b), d.conv(c).Status)
	}
	if n, err := d.svc.AssignWaiting(d.ctx); err != nil || n != 0 {
		t.Fatalf("AssignWaiting = %d, %v: nobody has room", n, err)
	}
	if err := d.svc.Close(d.ctx, d.conv(a).ID, anna); err != nil {
		t.Fatal(err)
	}
	if d.operatorOf(c) != anna {
		t.Fatal("closing a conversation freed room, but the waiting one was not assigned")
	}
	if load := d.int(`SELECT count(*) FROM conversations WHERE status = 'assigned' AND operator_id = $1`, anna); load != 2 {
		t.Fatalf("anna's load = %d, want 2", load)
	}
	if err := d.svc.SetCapacity(d.ctx, anna, 0); err == nil {
		t.Fatal("a capacity of 0 was accepted")
	}
}

func TestWhenRoomFreesTheClientWhoWaitedLongestIsServedFirst(t *testing.T) {
	d := newDesk(t)
	camp := d.campaign(reply("Тарифы", "Тарифы на сайте"))
	anna := d.operator("anna", 1)
	busy := d.client("Занимает оператора", "missed_call")
	d.write(busy, "привет")

	// early opens its conversation first (with the bot), but late starts waiting for a person before it does.
	early, late := d.client("Ранний", "missed_call"), d.client("Поздний", "missed_call")
	d.clock.Add(time.Second)
	d.press(early, fmt.Sprintf("c:%d:0", camp))
	d.clock.Add(5 * time.Second)
	d.write(late, "жду ответа")
	d.clock.Add(5 * time.Second)
	d.write(early, "а можно человека?")
	if d.conv(early).ID > d.conv(late).ID {
		t.Fatal("the test needs early's conversation to be the older one")
	}

	if err := d.svc.Close(d.ctx, d.conv(busy).ID, anna); err != nil {
		t.Fatal(err)
	}
	if d.operatorOf(late) != anna || d.conv(early).Status != "waiting" {
		t.Fatalf("late → %d, early is %s: the client waiting since %s must go first", d.operatorOf(late),
			d.conv(early).Status, d.t0.Add(6*time.Second))
	}
}

func TestAReturningClientGoesBackToTheOperatorWhoSpokeToThemBefore(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	regular := d.client("Постоянный", "missed_call")
	d.write(regular, "здравствуйте")
	d.reply(regular, anna, "Добрый день!")
	first := d.conv(regular).ID
	if err := d.svc.Close(d.ctx, first, anna); err != nil {
		t.Fatal(err)
	}
	d.write(d.client("Другой 1", "missed_call"), "1")
	d.write(d.client("Другой 2", "missed_call"), "2")
	boris := d.operator("boris", 5)

	d.clock.Add(time.Hour)
	d.write(regular, "я снова с вопросом")
	again := d.conv(regular)
	if again.ID == first {
		t.Fatal("a client writing after their conversation was closed must get a new conversation")
	}
	if *again.OperatorID != anna {
		t.Fatalf("the returning client went to %d, want anna (%d) who spoke to them, though boris (%d) is freer",
			*again.OperatorID, anna, boris)
	}
	card, err := d.svc.ClientCard(d.ctx, again.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(card.Conversations) != 2 || card.Conversations[0].ID != again.ID || card.Conversations[1].ID != first {
		t.Fatalf("the card's conversations = %+v, want both, newest first", card.Conversations)
	}

	// A client anna never spoke to goes by load.
	stranger := d.client("Новый", "missed_call")
	d.write(stranger, "?")
	if d.operatorOf(stranger) != boris {
		t.Fatalf("a new client went to %d, want boris (%d)", d.operatorOf(stranger), boris)
	}
}

func TestAnOfflineOperatorsWaitingClientsAreRequeuedAfterTheGracePeriod(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	unanswered, answered := d.client("Без ответа", "missed_call"), d.client("С ответом", "missed_call")
	d.write(unanswered, "алло")
	d.write(answered, "вопрос")
	d.reply(answered, anna, "ответ")
	d.presence(anna, dialog.Offline)
	boris := d.operator("boris", 5)

	d.clock.Add(2*time.Minute - time.Second)
	if _, err := d.svc.Touch(d.ctx, boris); err != nil { // boris's screen is alive
		t.Fatal(err)
	}
	if n, err := d.svc.RequeueOffline(d.ctx); err != nil || n != 0 {
		t.Fatalf("within the grace period RequeueOffline = %d, %v", n, err)
	}
	d.clock.Add(time.Second)
	if n, err := d.svc.RequeueOffline(d.ctx); err != nil || n != 1 {
		t.Fatalf("after the grace period RequeueOffline = %d, %v; want 1", n, err)
	}
	if d.operatorOf(unanswered) != boris {
		t.Fatalf("the waiting client went to %d, want boris (%d)", d.operatorOf(unanswered), boris)
	}
	if d.operatorOf(answered) != anna {
		t.Fatal("a conversation with nothing unanswered must stay with its operator")
	}
	reasons := d.str(`SELECT string_agg(reason || ':' || coalesce(operator_id::text, '-'), ' ' ORDER BY id)
		FROM assignments WHERE conversation_id = $1`, d.conv(unanswered).ID)
	if want := fmt.Sprintf("auto:%d requeue:- auto:%d", anna, boris); reasons != want {
		t.Fatalf("assignments = %q, want %q", reasons, want)
	}
	left := d.events(dialog.EventAssigned)
	var toAnna []map[string]any
	for _, e := range left {
		if *e.OperatorID == anna && payload(t, e)["operator_id"] == nil {
			toAnna = append(toAnna, payload(t, e))
		}
	}
	if len(toAnna) != 1 || toAnna[0]["reason"] != dialog.ReasonRequeue {
		t.Fatalf("anna was told %v, want one requeue", toAnna)
	}
}

func TestAnOperatorWhoseHeartbeatStopsIsTakenOfflineAndTheirClientsRequeued(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	c := d.client("Клиент", "missed_call")
	d.write(c, "алло")
	d.clock.Add(time.Minute)
	if status, err := d.svc.Touch(d.ctx, anna); err != nil || status != dialog.Online {
		t.Fatalf("Touch = %s, %v", status, err)
	}
	d.clock.Add(2*time.Minute + time.Second) // no heartbeat since
	if n, err := d.svc.RequeueOffline(d.ctx); err != nil || n != 1 {
		t.Fatalf("RequeueOffline = %d, %v; want 1", n, err)
	}
	if status, _ := d.svc.Touch(d.ctx, anna); status != dialog.Offline {
		t.Fatalf("anna's status = %s, want offline", status)
	}
	if cv := d.conv(c); cv.Status != "waiting" || cv.OperatorID != nil {
		t.Fatalf("conversation = %s with %v, want waiting with nobody", cv.Status, cv.OperatorID)
	}
	presence := d.events(dialog.EventPresence)
	last := payload(t, presence[len(presence)-1])
	if last["status"] != dialog.Offline || last["reason"] != "no heartbeat" {
		t.Fatalf("last presence event = %v", last)
	}
}

func TestTwoInstancesNeverAssignOneConversationTwice(t *testing.T) {
	d := newDesk(t)
	const operators, capacity, conversations = 8, 3, 60
	var ops []int64
	for i := range operators {
		ops = append(ops, d.user(fmt.Sprintf("op%d", i), "operator"))
	}
	for i := range conversations {
		d.write(d.client(fmt.Sprintf("Компания %d", i), "missed_call"), "здравствуйте")
	}
	// Everyone comes online at once, behind the services' backs, so that only the race below assigns.
	d.exec(`INSERT INTO operator_states (user_id, status, capacity) SELECT unnest($1::bigint[]), 'online', $2`, ops, capacity)

	instances := []*dialog.Service{d.service(), d.service()}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := instances[i%2].AssignWaiting(d.ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// An instance stops a pass after a few lost races and leaves the rest to its next tick; this is that tick.
	if _, err := d.svc.AssignWaiting(d.ctx); err != nil {
		t.Fatal(err)
	}

	if n := d.int(`SELECT count(*) FROM assignments`); n != operators*capacity {
		t.Fatalf("%d assignments, want %d", n, operators*capacity)
	}
	if n := d.int(`SELECT count(*) FROM (SELECT conversation_id FROM assignments GROUP BY 1 HAVING count(*) > 1) x`); n != 0 {
		t.Fatalf("%d conversations were assigned more than once", n)
	}
	if n := d.int(`SELECT count(*) FROM events WHERE kind = 'assigned'`); n != operators*capacity {
		t.Fatalf("%d assigned events, want %d", n, operators*capacity)
	}
	rows, err := d.pool.Query(d.ctx, `
		SELECT o.user_id, count(c.id) FROM operator_states o
		LEFT JOIN conversations c ON c.operator_id = o.user_id AND c.status = 'assigned'
		GROUP BY o.user_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var op, load int64
		if err := rows.Scan(&op, &load); err != nil {
			t.Fatal(err)
		}
		if load != capacity {
			t.Errorf("operator %d has %d conversations, want exactly %d (full, and not over)", op, load, capacity)
		}
	}
	if n := d.int(`SELECT count(*) FROM conversations WHERE status = 'waiting'`); n != conversations-operators*capacity {
		t.Fatalf("%d still waiting, want %d", n, conversations-operators*capacity)
	}
}

func TestTransferToAColleagueOrBackToTheQueue(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	c := d.client("Клиент", "missed_call")
	d.write(c, "хочу эквайринг")
	boris := d.operator("boris", 5)
	id := d.conv(c).ID

	if err := d.svc.Transfer(d.ctx, id, dialog.Target{OperatorID: anna}, "", boris); !errors.Is(err, dialog.ErrNotYours) {
		t.Fatalf("boris transferring anna's conversation: %v, want ErrNotYours", err)
	}
	if err := d.svc.Transfer(d.ctx, id, dialog.Target{OperatorID: boris}, "клиент про эквайринг", anna); err != nil {
		t.Fatal(err)
	}
	cv := d.conv(c)
	if *cv.OperatorID != boris || cv.Messages[len(cv.Messages)-1].Direction != "note" ||
		cv.Messages[len(cv.Messages)-1].Text != "клиент про эквайринг" {
		t.Fatalf("after the transfer: operator %d, last message %+v", *cv.OperatorID, cv.Messages[len(cv.Messages)-1])
	}
	if !cv.WaitingSince.Equal(d.t0) {
		t.Fatal("a transfer must not restart the client's SLA clock")
	}

	// Boris hands it to the acquiring queue: it goes to anna, not back to him although he has fewer.
	if err := d.svc.Transfer(d.ctx, id, dialog.Target{QueueID: queueID(d, "acquiring")}, "", boris); err != nil {
		t.Fatal(err)
	}
	cv = d.conv(c)
	if *cv.QueueID != queueID(d, "acquiring") || *cv.OperatorID != anna {
		t.Fatalf("after the transfer to the queue: queue %d operator %v, want acquiring and anna", *cv.QueueID, *cv.OperatorID)
	}

	if err := d.svc.Reassign(d.ctx, id, dialog.Target{OperatorID: boris}, "", anna); !errors.Is(err, dialog.ErrNotSupervisor) {
		t.Fatalf("an operator reassigning: %v, want ErrNotSupervisor", err)
	}
	sup := d.user("olga", "supervisor")
	if err := d.svc.Reassign(d.ctx, id, dialog.Target{OperatorID: boris}, "", sup); err != nil {
		t.Fatal(err)
	}
	reasons := d.str(`SELECT string_agg(reason, ' ' ORDER BY id) FROM assignments WHERE conversation_id = $1`, id)
	if reasons != "auto transfer transfer auto supervisor" {
		t.Fatalf("assignments = %q", reasons)
	}
	d.presence(anna, dialog.Offline)
	if err := d.svc.Reassign(d.ctx, id, dialog.Target{OperatorID: anna}, "", sup); !errors.Is(err, dialog.ErrOperatorAbsent) {
		t.Fatalf("reassigning to an offline operator: %v, want ErrOperatorAbsent", err)
	}
}

func TestAnAwayOperatorCanTakeTheNextConversationThemselves(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 1)
	d.presence(anna, dialog.Away)
	first, second := d.client("Первый", "missed_call"), d.client("Второй", "missed_call")
	d.write(first, "1")
	d.clock.Add(time.Second)
	d.write(second, "2")
	if d.conv(first).Status != "waiting" {
		t.Fatal("an away operator was given a conversation")
	}
	id, err := d.svc.TakeNext(d.ctx, anna)
	if err != nil || id != d.conv(first).ID {
		t.Fatalf("TakeNext = %d, %v; want the oldest, %d", id, err, d.conv(first).ID)
	}
	if _, err := d.svc.TakeNext(d.ctx, anna); !errors.Is(err, dialog.ErrAtCapacity) {
		t.Fatalf("TakeNext over capacity: %v", err)
	}
	if err := d.svc.Close(d.ctx, id, anna); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.TakeNext(d.ctx, anna); err != nil {
		t.Fatal(err)
	}
	if err := d.svc.Close(d.ctx, d.conv(second).ID, anna); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.TakeNext(d.ctx, anna); !errors.Is(err, dialog.ErrNoneWaiting) {
		t.Fatalf("TakeNext with nothing waiting: %v", err)
	}
}
