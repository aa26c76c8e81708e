package dialog_test

import (
	"math"
	"testing"
	"time"

	"dozvon/dialog"
)

func TestEveryClientMessageIsTimedUntilAnOperatorFirstAnswers(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	c := d.client("Клиент", "missed_call")
	d.write(c, "Здравствуйте")
	d.clock.Add(20 * time.Second)
	d.write(c, "Есть кто?")
	d.clock.Add(22500 * time.Millisecond)
	d.reply(c, anna, "Да, слушаю вас")

	cv := d.conv(c)
	in := cv.Messages[0:2]
	if *in[0].ResponseMS != 42500 || *in[1].ResponseMS != 22500 {
		t.Fatalf("response times = %d ms, %d ms; want 42500, 22500", *in[0].ResponseMS, *in[1].ResponseMS)
	}
	if !in[0].AnsweredAt.Equal(d.t0.Add(42500*time.Millisecond)) || cv.WaitingSince != nil {
		t.Fatalf("answered at %v, waiting since %v", in[0].AnsweredAt, cv.WaitingSince)
	}
	d.clock.Add(time.Second)
	d.reply(c, anna, "Что-то ещё?")
	if again := d.conv(c).Messages[0]; *again.ResponseMS != 42500 {
		t.Fatalf("a second reply re-timed the first message: %d ms", *again.ResponseMS)
	}

	d.clock.Add(time.Minute)
	d.write(c, "Какие тарифы?") // answered after 75 s: a miss
	d.clock.Add(75 * time.Second)
	d.reply(c, anna, "Ссылка на тарифы")
	d.clock.Add(time.Minute)
	d.write(c, "Спасибо") // unanswered for 61 s: a miss already
	d.clock.Add(61 * time.Second)
	d.write(d.client("Другой", "missed_call"), "?") // unanswered, 0 s: not decided yet

	stats, err := d.svc.SLAStats(d.ctx, d.t0)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Overall != (dialog.SLAFigure{Messages: 4, InTarget: 2}) || stats.Overall.Percent() != 50 {
		t.Fatalf("overall = %+v (%v%%), want 2 of 4", stats.Overall, stats.Overall.Percent())
	}
	if len(stats.PerOperator) != 1 || stats.PerOperator[0].OperatorID != anna || stats.PerOperator[0].Name != "anna" ||
		stats.PerOperator[0].SLAFigure != (dialog.SLAFigure{Messages: 4, InTarget: 2}) {
		t.Fatalf("per operator = %+v", stats.PerOperator)
	}
	if later, _ := d.svc.SLAStats(d.ctx, d.t0.Add(time.Minute)); later.Overall != (dialog.SLAFigure{Messages: 2}) {
		t.Fatalf("since a minute later = %+v, want the two misses", later.Overall)
	}
}

func TestSLAWarningAndBreachAreEachPublishedOncePerWaitingEpisode(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	c := d.client("Клиент", "missed_call")
	d.write(c, "Алло")

	tick := func(after time.Duration, wantWarnings, wantBreaches int) {
		t.Helper()
		d.clock.Add(after)
		w, b, err := d.svc.SLATick(d.ctx)
		if err != nil || w != wantWarnings || b != wantBreaches {
			t.Fatalf("at %s: SLATick = %d warnings, %d breaches, %v; want %d, %d", d.clock.Now().Sub(d.t0), w, b,
				err, wantWarnings, wantBreaches)
		}
	}
	tick(44*time.Second, 0, 0)
	tick(time.Second, 1, 0) // 45 s: the queue's warning
	tick(5*time.Second, 0, 0)
	tick(10*time.Second, 0, 1) // 60 s: the target
	tick(30*time.Second, 0, 0)

	warnings, breaches := d.events(dialog.EventSLAWarning), d.events(dialog.EventSLABreach)
	if len(warnings) != 1 || len(breaches) != 1 || *warnings[0].OperatorID != anna || *breaches[0].OperatorID != anna {
		t.Fatalf("warnings %+v, breaches %+v: want one each, to anna", warnings, breaches)
	}
	if ms := payload(t, breaches[0])["waited_ms"]; ms != float64(60000) {
		t.Fatalf("breach says the client waited %v ms, want 60000", ms)
	}
	if d.operatorOf(c) != anna {
		t.Fatal("a breach must not take the conversation from an operator who is online")
	}

	d.reply(c, anna, "Извините за ожидание")
	d.clock.Add(time.Minute)
	d.write(c, "Ещё вопрос") // a new episode
	tick(45*time.Second, 1, 0)
	if n := len(d.events(dialog.EventSLAWarning)); n != 2 {
		t.Fatalf("%d warnings, want 2 (one per episode)", n)
	}

	// A ticker that looks only after the target publishes the breach alone.
	late := d.client("Поздний", "missed_call")
	d.write(late, "?")
	tick(2*time.Minute, 0, 2)
}

func TestABreachWhileTheOperatorIsAwaySendsTheClientToSomeonePresent(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	c := d.client("Клиент", "missed_call")
	d.write(c, "Алло")
	boris := d.operator("boris", 5)
	d.presence(anna, dialog.Away)

	d.clock.Add(time.Minute)
	if _, b, err := d.svc.SLATick(d.ctx); err != nil || b != 1 {
		t.Fatalf("SLATick = %d breaches, %v", b, err)
	}
	cv := d.conv(c)
	if *cv.OperatorID != boris || !cv.WaitingSince.Equal(d.t0) {
		t.Fatalf("after the breach: operator %v waiting since %v; want boris, the clock still running", *cv.OperatorID,
			cv.WaitingSince)
	}
	reasons := d.str(`SELECT string_agg(reason, ' ' ORDER BY id) FROM assignments WHERE conversation_id = $1`, cv.ID)
	if reasons != "auto requeue auto" {
		t.Fatalf("assignments = %q", reasons)
	}
	d.clock.Add(30 * time.Second)
	d.reply(c, boris, "Здравствуйте!")
	if ms := *d.conv(c).Messages[0].ResponseMS; ms != 90000 {
		t.Fatalf("response = %d ms, want 90000: the client waited through the hand-over", ms)
	}
	if _, b, _ := d.svc.SLATick(d.ctx); b != 0 {
		t.Fatal("the same episode was breached twice")
	}
}

func TestSLAFigurePercent(t *testing.T) {
	if p := (dialog.SLAFigure{Messages: 100, InTarget: 91}).Percent(); math.Abs(p-91) > 1e-9 {
		t.Fatalf("91 of 100 = %v%%", p)
	}
	if p := (dialog.SLAFigure{}).Percent(); p != 0 {
		t.Fatalf("none = %v%%", p)
	}
}
