package dialog_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"dozvon/dialog"
	"dozvon/messenger"
)

// The migration brings the three offers the console had in its code; supervisors add, change and delete them.
func TestSupervisorsKeepTheOffersTheMigrationSeeded(t *testing.T) {
	d := newDesk(t)
	sveta := d.user("sveta", "supervisor")
	list, err := d.svc.Offers(d.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, o := range list {
		titles = append(titles, o.Title)
	}
	if strings.Join(titles, " | ") != "РКО: тариф «Старт» | РКО: тариф «Активный» | Интернет-эквайринг" ||
		!strings.HasPrefix(list[0].Body, "Тариф «Старт» для расчётного счёта:\n• открытие счёта — бесплатно") ||
		!strings.HasSuffix(list[2].Body, "модули для популярных CMS — бесплатно.") {
		t.Fatalf("seeded offers = %q", titles)
	}

	saved, err := d.svc.SaveOffer(d.ctx, dialog.Offer{Title: "  Зарплатный проект ", Body: "\nЗарплатный проект — бесплатно.\n"}, sveta)
	if err != nil {
		t.Fatal(err)
	}
	if saved.ID == 0 || saved.Title != "Зарплатный проект" || saved.Body != "Зарплатный проект — бесплатно." ||
		saved.CreatedBy == nil || *saved.CreatedBy != sveta || !saved.UpdatedAt.Equal(d.t0) {
		t.Fatalf("saved = %+v", saved)
	}
	d.clock.Add(time.Hour)
	saved.Body = "Зарплатный проект — бесплатно при 5 сотрудниках."
	if saved, err = d.svc.SaveOffer(d.ctx, saved, sveta); err != nil || saved.Body != "Зарплатный проект — бесплатно при 5 сотрудниках." ||
		!saved.UpdatedAt.Equal(d.t0.Add(time.Hour)) {
		t.Fatalf("changed = %+v, %v", saved, err)
	}
	if list, _ = d.svc.Offers(d.ctx); len(list) != 4 || list[3].ID != saved.ID {
		t.Fatalf("offers = %+v, want the new one last", list)
	}
	if err := d.svc.DeleteOffer(d.ctx, saved.ID); err != nil {
		t.Fatal(err)
	}
	if err := d.svc.DeleteOffer(d.ctx, saved.ID); !errors.Is(err, dialog.ErrNoSuchOffer) {
		t.Fatalf("deleting it again: %v", err)
	}
	if _, err := d.svc.SaveOffer(d.ctx, saved, sveta); !errors.Is(err, dialog.ErrNoSuchOffer) {
		t.Fatalf("changing a deleted offer: %v", err)
	}
	if _, err := d.svc.Offer(d.ctx, saved.ID); !errors.Is(err, dialog.ErrNoSuchOffer) {
		t.Fatalf("reading a deleted offer: %v", err)
	}
}

func TestOfferValidation(t *testing.T) {
	for _, c := range []struct {
		offer dialog.Offer
		field string
	}{
		{dialog.Offer{Title: " ", Body: "текст"}, "title"},
		{dialog.Offer{Title: strings.Repeat("я", 121), Body: "текст"}, "title"},
		{dialog.Offer{Title: "Тариф", Body: " \n "}, "body"},
		{dialog.Offer{Title: "Тариф", Body: strings.Repeat("я", 4097)}, "body"},
		{dialog.Offer{Title: strings.Repeat("я", 120), Body: strings.Repeat("я", 4096)}, ""},
	} {
		err := c.offer.Validate()
		var in *dialog.InputError
		if c.field == "" && err != nil || c.field != "" && (!errors.As(err, &in) || in.Field != c.field) {
			t.Errorf("%.20q / %.20q: %v, want a problem with %q", c.offer.Title, c.offer.Body, err, c.field)
		}
	}
}

// An offer is the operator's reply: plain text, escaped for Telegram on the way out like anything they type.
func TestAnOfferGoesOutAsTheOperatorsEscapedReply(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	sveta := d.user("sveta", "supervisor")
	c := d.client("ООО Ромашка", "missed_call")
	d.write(c, "Какие у вас тарифы?")
	body := `Скидка <b>50%</b> & "кэшбэк" <a href="https://evil.example">тут</a>`
	o, err := d.svc.SaveOffer(d.ctx, dialog.Offer{Title: "Акция", Body: body}, sveta)
	if err != nil {
		t.Fatal(err)
	}
	conv := d.conv(c).ID
	id, err := d.svc.SendOffer(d.ctx, conv, o.ID, anna)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.str(`SELECT o.text FROM outbox o JOIN conversation_messages m ON m.outbox_id = o.id WHERE m.id = $1`, id); got != messenger.Escape(body) ||
		strings.Contains(got, "<b>") {
		t.Fatalf("outbox text = %q, want %q", got, messenger.Escape(body))
	}
	if got := d.str(`SELECT text || ' ' || author_id FROM conversation_messages WHERE id = $1`, id); got != body+" "+strconv.FormatInt(anna, 10) {
		t.Fatalf("the dialog shows %q", got)
	}
	if d.int(`SELECT count(*) FROM conversation_messages WHERE conversation_id = $1 AND sla AND answered_at IS NULL`, conv) != 0 {
		t.Fatal("the offer did not answer the client")
	}
	if _, err := d.svc.SendOffer(d.ctx, conv, o.ID, d.operator("boris", 5)); !errors.Is(err, dialog.ErrNotYours) {
		t.Fatalf("boris sending an offer in anna's dialog: %v", err)
	}
	if _, err := d.svc.SendOffer(d.ctx, conv, 999999, anna); !errors.Is(err, dialog.ErrNoSuchOffer) {
		t.Fatalf("an unknown offer: %v", err)
	}
}

// The console lists first the offers for the product the dialog's lead is about, then those for any lead, then the
// rest; a dialog no lead started sees the general ones first.
func TestOffersForALeadPutItsProductFirst(t *testing.T) {
	d := newDesk(t)
	sveta := d.user("sveta", "supervisor")
	if _, err := d.svc.SaveOffer(d.ctx, dialog.Offer{Title: "Зарплатный проект", Body: "Бесплатно."}, sveta); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.SaveOffer(d.ctx, dialog.Offer{Title: "Вклад", Body: "8%", Product: "deposit"}, sveta); !isInput(err, "product") {
		t.Fatalf("a product the bank has no offers for: %v", err)
	}
	for kind, want := range map[string]string{
		"missed_call": "РКО: тариф «Старт» | РКО: тариф «Активный» | Зарплатный проект | Интернет-эквайринг",
		"follow_up":   "РКО: тариф «Старт» | РКО: тариф «Активный» | Зарплатный проект | Интернет-эквайринг",
		"acquiring":   "Интернет-эквайринг | Зарплатный проект | РКО: тариф «Старт» | РКО: тариф «Активный»",
		"":            "Зарплатный проект | РКО: тариф «Старт» | РКО: тариф «Активный» | Интернет-эквайринг",
	} {
		list, err := d.svc.OffersFor(d.ctx, kind)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, o := range list {
			titles = append(titles, o.Title)
		}
		if got := strings.Join(titles, " | "); got != want {
			t.Errorf("%q dialog: %s, want %s", kind, got, want)
		}
	}
}
