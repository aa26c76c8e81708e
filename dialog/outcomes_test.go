package dialog_test

import (
	"errors"
	"testing"
	"time"

	"dozvon/campaigns"
	"dozvon/dialog"
)

func TestOutcomesAreValidatedBeforeTheyAreRecorded(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	c := d.client("Клиент", "missed_call")
	d.write(c, "?")
	id := d.conv(c).ID
	tomorrow := d.t0.Add(24 * time.Hour)
	for _, tc := range []struct {
		outcome dialog.Outcome
		field   string
	}{
		{dialog.Outcome{Kind: "maybe"}, "kind"},
		{dialog.Outcome{Kind: dialog.OutcomeRefusal}, "reason_id"},
		{dialog.Outcome{Kind: dialog.OutcomeRefusal, Reason: "уже есть счёт в другом банке"}, "reason_id"},
		{dialog.Outcome{Kind: dialog.OutcomeConsent}, "product"},
		{dialog.Outcome{Kind: dialog.OutcomeConsent, Product: "loan"}, "product"},
		{dialog.Outcome{Kind: dialog.OutcomeCallback}, "due_at"},
		{dialog.Outcome{Kind: dialog.OutcomeCallback, DueAt: d.t0}, "due_at"},
		{dialog.Outcome{Kind: dialog.OutcomeMeeting, DueAt: d.t0.Add(-time.Hour)}, "due_at"},
	} {
		_, err := d.svc.RecordOutcome(d.ctx, id, anna, tc.outcome)
		var in *dialog.InputError
		if !errors.As(err, &in) || in.Field != tc.field {
			t.Errorf("%+v: %v, want a problem with %s", tc.outcome, err, tc.field)
		}
	}
	if n := d.int(`SELECT count(*) FROM outcomes`); n != 0 {
		t.Fatalf("%d invalid outcomes were recorded", n)
	}
	for _, ok := range []dialog.Outcome{
		{Kind: dialog.OutcomeRefusal, ReasonID: d.reason("Уже есть счёт в другом банке")},
		{Kind: dialog.OutcomeConsent, Product: "rko"},
		{Kind: dialog.OutcomeCallback, DueAt: tomorrow},
		{Kind: dialog.OutcomeAccountOpened},
	} {
		if _, err := d.svc.RecordOutcome(d.ctx, id, anna, ok); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	got := d.str(`SELECT string_agg(kind || ':' || product || ':' || coalesce(due_at::text, '-'), ' ' ORDER BY id)
		FROM outcomes WHERE recorded_by = $1`, anna)
	want := "refusal::- consent:rko:- callback::" + tomorrow.Format("2006-01-02 15:04:05") + "+00 account_opened:rko:-"
	if got != want {
		t.Fatalf("outcomes = %q\nwant       %q", got, want)
	}
	boris := d.user("boris", "operator")
	if _, err := d.svc.RecordOutcome(d.ctx, id, boris, dialog.Outcome{Kind: dialog.OutcomeConsent, Product: "rko"}); !errors.Is(err, dialog.ErrNotYours) {
		t.Fatalf("an outcome by someone else's operator: %v", err)
	}
}

func TestTheLeadFollowsItsOutcomesAndAConversionIsFinal(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	c := d.client("Клиент", "missed_call")
	d.write(c, "?")
	id := d.conv(c).ID
	status := func() string { return d.str(`SELECT status FROM leads WHERE id = $1`, c.LeadID) }
	steps := []struct {
		outcome dialog.Outcome
		want    string
	}{
		{dialog.Outcome{Kind: dialog.OutcomeCallback, DueAt: d.t0.Add(time.Hour)}, "replied"},
		{dialog.Outcome{Kind: dialog.OutcomeConsent, Product: "rko"}, "consented"},
		{dialog.Outcome{Kind: dialog.OutcomeRefusal, ReasonID: d.reason("Сейчас не актуально"), Reason: "передумал"}, "refused"},
		{dialog.Outcome{Kind: dialog.OutcomeAccountOpened}, "converted"},
		{dialog.Outcome{Kind: dialog.OutcomeRefusal, ReasonID: d.reason("Другое"), Reason: "ошибся кнопкой"}, "converted"},
	}
	for _, st := range steps {
		if _, err := d.svc.RecordOutcome(d.ctx, id, anna, st.outcome); err != nil {
			t.Fatal(err)
		}
		if got := status(); got != st.want {
			t.Fatalf("after %s the lead is %s, want %s", st.outcome.Kind, got, st.want)
		}
	}
	if e := d.events(dialog.EventOutcome); len(e) != len(steps) || *e[0].OperatorID != anna {
		t.Fatalf("outcome events = %d, want %d addressed to anna", len(e), len(steps))
	}
}

func TestAMeetingHandsTheClientToAFieldManagerAndFollowsUpWhenTheDeadlinePassesWithoutAnAccount(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	c := d.client("ООО Ромашка", "missed_call")
	d.write(c, "Давайте встречу")
	id := d.conv(c).ID
	deadline := d.t0.Add(7 * 24 * time.Hour)
	if _, err := d.svc.RecordOutcome(d.ctx, id, anna, dialog.Outcome{Kind: dialog.OutcomeMeeting, DueAt: deadline,
		Reason: "менеджер Смирнов, офис на Светланской"}); err != nil {
		t.Fatal(err)
	}
	if got := d.str(`SELECT status FROM leads WHERE id = $1`, c.LeadID); got != "consented" {
		t.Fatalf("the missed-call lead is %s, want consented", got)
	}
	var followUp int64
	var eligible time.Time
	var status, kept string
	if err := d.pool.QueryRow(d.ctx, `
		SELECT f.id, f.eligible_at, f.status, f.attributes->>'meeting_deadline'
		FROM leads f JOIN leads l ON l.application_id = f.application_id
		WHERE l.id = $1 AND f.kind = 'follow_up'`, c.LeadID).Scan(&followUp, &eligible, &status, &kept); err != nil {
		t.Fatal(err)
	}
	if !eligible.Equal(deadline) || status != "new" || kept != deadline.Format(time.RFC3339) {
		t.Fatalf("follow-up lead: eligible %v, %s, deadline %q; want eligible at %v", eligible, status, kept, deadline)
	}

	// Follow-up campaigns see the lead only once the deadline has passed.
	store := campaigns.NewStore(d.pool)
	followUps := campaigns.Campaign{LeadKind: campaigns.FollowUp}
	audience := func(at time.Time) int {
		t.Helper()
		store.Now = func() time.Time { return at }
		size, err := store.AudienceSize(d.ctx, followUps)
		if err != nil {
			t.Fatal(err)
		}
		return size.Eligible
	}
	if n := audience(deadline.Add(-time.Hour)); n != 0 {
		t.Fatalf("before the deadline %d follow-up leads are eligible", n)
	}
	if n := audience(deadline.Add(time.Hour)); n != 1 {
		t.Fatalf("after the deadline %d follow-up leads are eligible, want 1", n)
	}

	// A second meeting moves the same follow-up's deadline.
	later := deadline.Add(3 * 24 * time.Hour)
	if _, err := d.svc.RecordOutcome(d.ctx, id, anna, dialog.Outcome{Kind: dialog.OutcomeMeeting, DueAt: later}); err != nil {
		t.Fatal(err)
	}
	if n := d.int(`SELECT count(*) FROM leads WHERE kind = 'follow_up'`); n != 1 {
		t.Fatalf("%d follow-up leads, want the one moved", n)
	}
	if n := audience(deadline.Add(time.Hour)); n != 0 {
		t.Fatal("the moved follow-up is eligible at the old deadline")
	}

	// The bank reports the account opened: the run's lead derivation converts the follow-up, nobody writes.
	d.exec(`INSERT INTO application_events (application_id, kind, occurred_at)
		SELECT application_id, 'account_opened', $2 FROM leads WHERE id = $1`, c.LeadID, deadline)
	if _, err := store.DeriveLeads(d.ctx, later.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := audience(later.Add(time.Hour)); n != 0 {
		t.Fatalf("%d follow-ups eligible after the account was opened", n)
	}
	if got := d.str(`SELECT status FROM leads WHERE id = $1`, followUp); got != "converted" {
		t.Fatalf("the follow-up lead is %s, want converted", got)
	}
}

func TestAnAccountOpenedInTheChatClosesThePendingFollowUp(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	c := d.client("ООО Ромашка", "missed_call")
	d.write(c, "?")
	id := d.conv(c).ID
	if _, err := d.svc.RecordOutcome(d.ctx, id, anna, dialog.Outcome{Kind: dialog.OutcomeMeeting,
		DueAt: d.t0.Add(48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.RecordOutcome(d.ctx, id, anna, dialog.Outcome{Kind: dialog.OutcomeAccountOpened}); err != nil {
		t.Fatal(err)
	}
	got := d.str(`SELECT string_agg(kind || ':' || status, ' ' ORDER BY id) FROM leads WHERE client_id = $1`, c.ID)
	if got != "missed_call:converted follow_up:converted" {
		t.Fatalf("leads = %q", got)
	}
}
