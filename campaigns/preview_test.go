package campaigns_test

import (
	"fmt"
	"testing"

	"dozvon/campaigns"
	"dozvon/messenger"
)

// The preview is the broadcast's own message for the first lead the campaign would write to: the lead's values,
// escaped as the run escapes them, and the buttons with the callback data the run sends.
func TestPreviewIsTheMessageTheFirstLeadOfTheAudienceGets(t *testing.T) {
	b := newBank(t)
	b.missedCall(clientSpec{company: `ООО "Рога & <Копыта>"`, region: "Приморский край"})
	b.missedCall(clientSpec{company: "ООО Второй", region: "Приморский край"})
	b.derive()
	c := b.campaign(campaigns.MissedCall)

	p, err := b.store.Preview(b.ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	want := "Здравствуйте, Ирина! Мы не дозвонились до <b>ООО &quot;Рога &amp; &lt;Копыта&gt;&quot;</b>."
	if !p.Real || p.Text != want || p.Values["Region"] != "Приморский край" {
		t.Fatalf("preview %+v\nwant the first lead's text %q", p, want)
	}
	wantButtons := messenger.Markup{{{Text: "Ответить", Data: fmt.Sprintf("c:%d:0", c.ID)}}, {{Text: "Отписаться", Data: "optout"}}}
	if fmt.Sprint(p.Buttons) != fmt.Sprint(wantButtons) {
		t.Fatalf("buttons %v, want %v", p.Buttons, wantButtons)
	}

	// An audience nobody is in shows the built-in sample values, and says so.
	c.Audience.Regions = []string{"Чукотский автономный округ"}
	p, err = b.store.Preview(b.ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if p.Real || p.Text != "Здравствуйте, Ирина Петровна! Мы не дозвонились до <b>ООО «Ромашка»</b>." {
		t.Fatalf("empty audience preview %+v", p)
	}
}

// Invitations are counted as made, followed (the client opened the link) and handed to the SMS gateway.
func TestInvitationsAreCountedMadeFollowedAndPosted(t *testing.T) {
	b := newBank(t)
	for i := range 3 {
		b.missedCall(clientSpec{company: fmt.Sprint("ООО ", i), phone: fmt.Sprintf("+7918000000%d", i)})
	}
	b.derive()
	c := b.campaign(campaigns.MissedCall)
	if r := b.run(c); r.Invited != 3 {
		t.Fatalf("run %+v", r)
	}
	b.exec(`UPDATE invitations SET used_at = now() WHERE token = (SELECT min(token) FROM invitations)`)
	b.exec(`UPDATE invitations SET posted_at = now() WHERE token <> (SELECT max(token) FROM invitations)`)
	n, err := b.store.CountInvitations(b.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n != (campaigns.InvitationCounts{Total: 3, Followed: 1, Posted: 2}) {
		t.Fatalf("counts %+v", n)
	}
}
