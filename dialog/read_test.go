package dialog_test

import (
	"errors"
	"testing"
	"time"

	"dozvon/dialog"
)

func TestAnOperatorsListCountsUnreadAndUnansweredAndStartsTheSLATimer(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	c := d.client("ООО Ромашка", "missed_call")
	d.write(c, "Здравствуйте")
	d.clock.Add(10 * time.Second)
	d.write(c, "Есть кто?")

	list := func() dialog.Dialog {
		t.Helper()
		ds, err := d.svc.OperatorDialogs(d.ctx, anna)
		if err != nil || len(ds) != 1 {
			t.Fatalf("OperatorDialogs = %+v, %v", ds, err)
		}
		return ds[0]
	}
	got := list()
	if got.Company != "ООО Ромашка" || got.ClientName != "Ирина" || got.LeadKind != "missed_call" ||
		got.Unread != 2 || got.Unanswered != 2 || !got.OldestUnansweredAt.Equal(d.t0) ||
		got.LastMessage != "Есть кто?" || got.SLATarget != time.Minute || got.SLAWarning != 45*time.Second {
		t.Fatalf("dialog = %+v", got)
	}
	cv := d.conv(c)
	if err := d.svc.MarkRead(d.ctx, cv.ID, anna, cv.Messages[0].ID); err != nil {
		t.Fatal(err)
	}
	if got := list(); got.Unread != 1 || got.Unanswered != 2 {
		t.Fatalf("after reading the first: unread %d, unanswered %d", got.Unread, got.Unanswered)
	}
	d.reply(c, anna, "Да, слушаю")
	if got := list(); got.Unread != 0 || got.Unanswered != 0 || got.OldestUnansweredAt != nil || got.LastMessage != "Да, слушаю" {
		t.Fatalf("after the reply: %+v", got)
	}
}

func TestTheQueueSnapshotShowsWhatWaitsAndWhoIsThere(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 1)
	d.write(d.client("Занимает", "missed_call"), "1")
	d.clock.Add(time.Second)
	d.write(d.client("Ждёт", "missed_call"), "2")
	d.clock.Add(time.Second)
	d.write(d.client("Ждёт тоже", "missed_call"), "3")
	d.write(d.client("Эквайринг", "acquiring"), "4")
	boris := d.user("boris", "operator")
	d.presence(boris, dialog.Away)

	snap, err := d.svc.QueueSnapshot(d.ctx)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]dialog.QueueState{}
	for _, q := range snap.Queues {
		byName[q.Name] = q
	}
	if q := byName["missed_call"]; q.Waiting != 2 || !q.OldestWaiting.Equal(d.t0.Add(time.Second)) || q.SLATarget != time.Minute {
		t.Fatalf("missed_call queue = %+v", q)
	}
	if q := byName["acquiring"]; q.Waiting != 1 {
		t.Fatalf("acquiring queue = %+v", q)
	}
	if q := byName["general"]; q.Waiting != 0 || q.OldestWaiting != nil || q.LeadKind != "" {
		t.Fatalf("general queue = %+v", q)
	}
	if len(snap.Operators) != 2 {
		t.Fatalf("operators = %+v", snap.Operators)
	}
	a, b := snap.Operators[0], snap.Operators[1]
	if a.OperatorID != anna || a.Status != dialog.Online || a.Load != 1 || a.Capacity != 1 {
		t.Fatalf("anna = %+v", a)
	}
	if b.OperatorID != boris || b.Status != dialog.Away || b.Load != 0 || b.Capacity != 5 {
		t.Fatalf("boris = %+v", b)
	}
}

func TestTheClientCardShowsTheCompanyItsApplicationAndHistory(t *testing.T) {
	d := newDesk(t)
	camp := d.campaign(route("Задать вопрос"))
	anna := d.operator("anna", 5)
	c := d.client("ООО Ромашка", "missed_call")
	d.exec(`INSERT INTO application_events (application_id, kind, result, occurred_at)
		SELECT application_id, 'call_attempt', 'no_answer', $2::timestamptz FROM leads WHERE id = $1
		UNION ALL SELECT application_id, 'call_attempt', 'busy', $3::timestamptz FROM leads WHERE id = $1`,
		c.LeadID, d.t0.Add(-48*time.Hour), d.t0.Add(-24*time.Hour))
	d.exec(`INSERT INTO outbox (campaign_id, lead_id, channel, bot_id, chat_id, text, state, sent_at)
		VALUES ($1, $2, 'telegram', $5, $3, 'Здравствуйте!', 'sent', $4)`, camp, c.LeadID, c.ChatID, d.t0.Add(-time.Hour), c.BotID)
	d.write(c, "Что по заявке?")
	id := d.conv(c).ID
	if _, err := d.svc.RecordOutcome(d.ctx, id, anna, dialog.Outcome{Kind: dialog.OutcomeConsent, Product: "rko"}); err != nil {
		t.Fatal(err)
	}

	card, err := d.svc.ClientCard(d.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if card.Company != "ООО Ромашка" || card.INN != "7707083893" || card.OKVED != "47.91" ||
		card.Region != "Приморский край" || card.TimeZone != "Asia/Vladivostok" || card.ContactName != "Ирина Петровна" {
		t.Fatalf("card = %+v", card)
	}
	if card.LocalTime.Hour() != 17 { // 07:00 UTC is 17:00 in Vladivostok
		t.Fatalf("the client's local time = %v", card.LocalTime)
	}
	if card.LeadKind != "missed_call" || card.LeadStatus != "consented" || card.ContactStatus != "active" || card.OptedOut {
		t.Fatalf("lead %s/%s, contact %s opted out %v", card.LeadKind, card.LeadStatus, card.ContactStatus, card.OptedOut)
	}
	if card.Consent == nil || card.Consent.Product != "rko" || card.Consent.RecordedBy != "anna" {
		t.Fatalf("consent = %+v", card.Consent)
	}
	if len(card.Applications) != 1 || card.Applications[0].Product != "rko" || card.Applications[0].FieldManager != "Алексей Смирнов" {
		t.Fatalf("applications = %+v", card.Applications)
	}
	if len(card.Timeline) != 2 || card.Timeline[0].Result != "busy" || card.Timeline[1].Result != "no_answer" {
		t.Fatalf("timeline = %+v, want newest first", card.Timeline)
	}
	if len(card.Campaigns) != 1 || card.Campaigns[0].CampaignID != camp || card.Campaigns[0].State != "sent" {
		t.Fatalf("campaigns = %+v", card.Campaigns)
	}
	if len(card.Conversations) != 1 || card.Conversations[0].OperatorName != "anna" ||
		len(card.Conversations[0].Outcomes) != 1 || card.Conversations[0].Outcomes[0] != "consent" {
		t.Fatalf("conversations = %+v", card.Conversations)
	}

	d.exec(`INSERT INTO opt_outs (channel, bot_id, chat_id, source) VALUES ('telegram', $2, $1, '/stop')`, c.ChatID, c.BotID)
	if card, _ := d.svc.ClientCard(d.ctx, id); !card.OptedOut {
		t.Fatal("an opt-out of the chat is not on the card")
	}
}

func TestSupervisorsKeepScriptsThatFillInTheClientsDetails(t *testing.T) {
	d := newDesk(t)
	sup := d.user("olga", "supervisor")
	d.operator("anna", 5) // who {{.Operator}} is
	price, err := d.svc.SaveScript(d.ctx, dialog.Script{Title: "Тарифы", LeadKind: "missed_call", Shortcut: "/Price",
		Body: "{{.ClientName}}, для {{.Company}} (ИНН {{.INN}}) обслуживание 0 ₽. Ваш менеджер — {{.Manager}}, пишет {{.Operator}}."}, sup)
	if err != nil {
		t.Fatal(err)
	}
	if price.Shortcut != "price" || *price.CreatedBy != sup {
		t.Fatalf("saved = %+v", price)
	}
	if _, err := d.svc.SaveScript(d.ctx, dialog.Script{Title: "Другой", Body: "x", Shortcut: "price"}, sup); !isInput(err, "shortcut") {
		t.Fatalf("a taken shortcut: %v", err)
	}
	if _, err := d.svc.SaveScript(d.ctx, dialog.Script{Title: "Плохой", Body: "Привет, {{.Name}}"}, sup); !isInput(err, "body") {
		t.Fatalf("an unknown variable: %v", err)
	}
	if _, err := d.svc.SaveScript(d.ctx, dialog.Script{Title: "Эквайринг", LeadKind: "acquiring", Body: "Подключим за день"}, sup); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.SaveScript(d.ctx, dialog.Script{Title: "Прощание", Body: "Всего доброго!"}, sup); err != nil {
		t.Fatal(err)
	}
	list, err := d.svc.Scripts(d.ctx, "missed_call")
	if err != nil || len(list) != 2 || list[0].Title != "Тарифы" || list[1].Title != "Прощание" {
		t.Fatalf("scripts for missed calls = %+v, %v", list, err)
	}

	c := d.client("ООО Ромашка", "missed_call")
	d.write(c, "?")
	text, err := d.svc.FillScript(d.ctx, price.ID, d.conv(c).ID)
	want := "Ирина Петровна, для ООО Ромашка (ИНН 7707083893) обслуживание 0 ₽. Ваш менеджер — Алексей Смирнов, пишет anna."
	if err != nil || text != want {
		t.Fatalf("filled = %q, %v\nwant     %q", text, err, want)
	}

	price.Body = "Обслуживание 0 ₽"
	if _, err := d.svc.SaveScript(d.ctx, price, sup); err != nil {
		t.Fatal(err)
	}
	if err := d.svc.DeleteScript(d.ctx, price.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.svc.Script(d.ctx, price.ID); !errors.Is(err, dialog.ErrNoSuchScript) {
		t.Fatalf("a deleted script: %v", err)
	}
}

func isInput(err error, field string) bool {
	var in *dialog.InputError
	return errors.As(err, &in) && in.Field == field
}
