package dialog_test

import (
	"errors"
	"strconv"
	"testing"

	"dozvon/dialog"
)

func TestSupervisorsKeepTheRefusalReasonsAndOperatorsPickOneWithAComment(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	list, err := d.svc.RefusalReasons(d.ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 8 || list[0].LabelRU != "Уже есть счёт в другом банке" ||
		list[0].LabelEN != "Already has an account in another bank" || list[7].Label("ru") != "Другое" ||
		list[7].Label("en") != "Other" {
		t.Fatalf("seeded reasons = %+v", list)
	}

	if _, err := d.svc.SaveRefusalReason(d.ctx, dialog.RefusalReason{LabelRU: " ", LabelEN: "x"}); !isInput(err, "label_ru") {
		t.Fatalf("an empty label: %v", err)
	}
	id, err := d.svc.SaveRefusalReason(d.ctx, dialog.RefusalReason{LabelRU: "Банк далеко от офиса",
		LabelEN: "The bank's office is too far", Active: true, Position: 35})
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := d.svc.RefusalReasons(d.ctx, false); len(list) != 9 || list[3].ID != id {
		t.Fatalf("after adding one at 35: %+v", list)
	}

	c := d.client("ООО Ромашка", "missed_call")
	d.write(c, "Нам не нужно")
	conv := d.conv(c).ID
	outcome, err := d.svc.RecordOutcome(d.ctx, conv, anna, dialog.Outcome{Kind: dialog.OutcomeRefusal, ReasonID: id,
		Reason: " до офиса час ехать "})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.str(`SELECT reason_id || '|' || reason FROM outcomes WHERE id = $1`, outcome); got != strconv.FormatInt(id, 10)+"|до офиса час ехать" {
		t.Fatalf("stored %q", got)
	}
	card, err := d.svc.ClientCard(d.ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	if o := card.Outcomes[0]; o.ReasonID == nil || *o.ReasonID != id || o.ReasonRU != "Банк далеко от офиса" ||
		o.ReasonEN != "The bank's office is too far" || o.Reason != "до офиса час ехать" {
		t.Fatalf("the card's refusal = %+v", o)
	}

	// Switched off, a reason is no longer offered nor accepted, and past refusals keep it.
	if _, err := d.svc.SaveRefusalReason(d.ctx, dialog.RefusalReason{ID: id, LabelRU: "Банк далеко от офиса",
		LabelEN: "The bank's office is too far", Position: 35}); err != nil {
		t.Fatal(err)
	}
	if list, _ := d.svc.RefusalReasons(d.ctx, false); len(list) != 8 {
		t.Fatalf("%d active reasons, want 8", len(list))
	}
	if all, _ := d.svc.RefusalReasons(d.ctx, true); len(all) != 9 || all[3].Active {
		t.Fatalf("all reasons = %+v", all)
	}
	if _, err := d.svc.RecordOutcome(d.ctx, conv, anna, dialog.Outcome{Kind: dialog.OutcomeRefusal, ReasonID: id}); !errors.Is(err, dialog.ErrNoSuchReason) {
		t.Fatalf("a switched-off reason: %v", err)
	}
	if _, err := d.svc.SaveRefusalReason(d.ctx, dialog.RefusalReason{ID: 999999, LabelRU: "a", LabelEN: "a"}); !errors.Is(err, dialog.ErrNoSuchReason) {
		t.Fatalf("changing a reason that does not exist: %v", err)
	}
	if n := d.int(`SELECT count(*) FROM outcomes WHERE reason_id = $1`, id); n != 1 {
		t.Fatalf("%d outcomes with the reason, want the first", n)
	}
}

func TestTheCompanyNameCarriesItsLegalFormOnce(t *testing.T) {
	for _, tc := range []struct{ form, company, want string }{
		{"ООО", "ООО «Спектр»", "ООО «Спектр»"},
		{"ИП", "ИП Соколова О. И.", "ИП Соколова О. И."},
		{"ООО", "ооо Ромашка", "ооо Ромашка"},
		{"ООО", "«Спектр»", "ООО «Спектр»"},
		{"АО", "Альфа", "АО Альфа"},
		{"ИП", "Ипатов", "ИП Ипатов"}, // a name that merely starts with the letters of the form
		{"", "Спектр", "Спектр"},
		{"ООО", "", ""},
	} {
		if got := dialog.CompanyName(tc.form, tc.company); got != tc.want {
			t.Errorf("CompanyName(%q, %q) = %q, want %q", tc.form, tc.company, got, tc.want)
		}
	}
}
