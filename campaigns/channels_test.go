package campaigns_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"dozvon/campaigns"
	"dozvon/internal/msg"
	"dozvon/messenger"
)

// chatOn links a chat of the channel's first bot to the client's leads, as the messenger does after a start.
func (b *bank) chatOn(channel string, client, chatID int64) {
	b.t.Helper()
	b.exec(`INSERT INTO contacts (channel, bot_id, chat_id, status, linked_via)
		VALUES ($1, (SELECT min(id) FROM bots WHERE channel = $1), $2, 'active', 'deep_link')`, channel, chatID)
	b.exec(`INSERT INTO contact_leads (contact_id, lead_id, via)
		SELECT ct.id, l.id, 'deep_link' FROM contacts ct, leads l WHERE ct.channel = $1 AND ct.chat_id = $2 AND l.client_id = $3`,
		channel, chatID, client)
}

// policy sets the installation's foreign-messenger policy, as an administrator does on the settings page.
func (b *bank) policy(foreign string) {
	b.t.Helper()
	var admin int64
	if err := b.pool.QueryRow(b.ctx, `INSERT INTO users (login, role, password_hash) VALUES ($1, 'admin', 'x')
		ON CONFLICT (login) DO UPDATE SET role = 'admin' RETURNING id`, "admin").Scan(&admin); err != nil {
		b.t.Fatal(err)
	}
	if _, err := messenger.NewPolicies(b.pool).Set(b.ctx, messenger.Policy{Enabled: messenger.Channels, ForeignMessengers: foreign}, admin); err != nil {
		b.t.Fatal(err)
	}
}

// queued lists the campaign's messages as "channel/chat", in chat order.
func (b *bank) queued(c campaigns.Campaign) []string {
	b.t.Helper()
	rows, err := b.pool.Query(b.ctx, `SELECT channel || '/' || chat_id FROM outbox WHERE campaign_id = $1 ORDER BY chat_id`, c.ID)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// invited lists the campaign's invitations as "company: channel/bot", in company order.
func (b *bank) invited(c campaigns.Campaign) []string {
	b.t.Helper()
	rows, err := b.pool.Query(b.ctx, `
		SELECT cl.company_name || ': ' || i.channel || '/' || coalesce(b.username, '-')
		FROM invitations i JOIN leads l ON l.id = i.lead_id JOIN clients cl ON cl.id = l.client_id
		LEFT JOIN bots b ON b.id = i.bot_id
		WHERE i.campaign_id = $1 ORDER BY cl.company_name`, c.ID)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// fourClients are a client reachable only on Telegram (chat 101), one on both messengers (Telegram 102, MAX 202),
// one only on MAX (203) and one with no chat at all, each with a missed-call lead, and a MAX bot.
func fourClients(t *testing.T) *bank {
	b := newBank(t)
	if _, err := messenger.NewBots(b.pool).Register(b.ctx, messenger.MAX, "9", "dozvon_max_bot"); err != nil {
		t.Fatal(err)
	}
	onlyTelegram, _ := b.missedCall(clientSpec{company: "1 Только Telegram"})
	both, _ := b.missedCall(clientSpec{company: "2 Оба"})
	onlyMAX, _ := b.missedCall(clientSpec{company: "3 Только MAX"})
	b.missedCall(clientSpec{company: "4 Без чата", phone: "+79180000004"})
	b.derive()
	b.chatOn(messenger.Telegram, onlyTelegram, 101)
	b.chatOn(messenger.Telegram, both, 102)
	b.chatOn(messenger.MAX, both, 202)
	b.chatOn(messenger.MAX, onlyMAX, 203)
	return b
}

func maxThenTelegram(c *campaigns.Campaign) { c.Channels = []string{messenger.MAX, messenger.Telegram} }

// A campaign preferring MAX, then Telegram, in a bank under deny: nobody gets a Telegram message. The client on
// both messengers is written to on MAX, and the client reachable only on Telegram gets the invitation path
// instead, with MAX's deep link, like the client with no chat.
func TestUnderDenyACampaignPreferringMAXWritesNobodyOnTelegramAndInvitesToMAX(t *testing.T) {
	b := fourClients(t)
	b.policy(messenger.ForeignDeny)
	c := b.campaign(campaigns.MissedCall, maxThenTelegram)

	size, err := b.store.AudienceSize(b.ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if size != (campaigns.Size{Eligible: 4, Reachable: 2, NeedsInvite: 2}) {
		t.Fatalf("audience %+v", size)
	}
	r := b.run(c)
	if r.Audience != 4 || r.Enqueued != 2 || r.Invited != 2 || r.Excluded != 0 {
		t.Fatalf("run %+v", r)
	}
	if got, want := b.queued(c), []string{"max/202", "max/203"}; !slices.Equal(got, want) {
		t.Fatalf("queued %v, want %v", got, want)
	}
	want := []string{"1 Только Telegram: max/dozvon_max_bot", "4 Без чата: max/dozvon_max_bot"}
	if got := b.invited(c); !slices.Equal(got, want) {
		t.Fatalf("invited %v, want %v", got, want)
	}
	list, err := b.store.Invitations(b.ctx, c.ID, false)
	if err != nil || len(list) != 2 || list[0].Channel != messenger.MAX || !strings.Contains(list[0].Link, "dozvon_max_bot") {
		t.Fatalf("invitations for the SMS gateway %+v, %v; want MAX's bot's links", list, err)
	}
	// Another run writes nobody twice, on whichever channel.
	if r := b.run(c); r.Enqueued != 0 || r.Invited != 0 {
		t.Fatalf("second run %+v", r)
	}
}

// Under allow, the same campaign writes to the client reachable only on Telegram there, and to the client on both
// messengers once, on MAX: one message per client for the campaign's step.
func TestUnderAllowTelegramOnlyClientsAreWrittenToThereAndClientsOnBothOnceOnMAX(t *testing.T) {
	b := fourClients(t)
	b.policy(messenger.ForeignAllow)
	c := b.campaign(campaigns.MissedCall, maxThenTelegram)
	r := b.run(c)
	if r.Audience != 4 || r.Enqueued != 3 || r.Invited != 1 || r.Excluded != 0 {
		t.Fatalf("run %+v", r)
	}
	if got, want := b.queued(c), []string{"telegram/101", "max/202", "max/203"}; !slices.Equal(got, want) {
		t.Fatalf("queued %v, want %v", got, want)
	}
	if got, want := b.invited(c), []string{"4 Без чата: max/dozvon_max_bot"}; !slices.Equal(got, want) {
		t.Fatalf("invited %v, want %v", got, want)
	}
	if r := b.run(c); r.Enqueued != 0 || r.Invited != 0 || r.Excluded != 3 {
		t.Fatalf("second run %+v", r)
	}

	// Preferring Telegram instead, the client on both messengers is written to on Telegram.
	b = fourClients(t)
	tgFirst := b.campaign(campaigns.MissedCall, func(c *campaigns.Campaign) { c.Channels = []string{messenger.Telegram, messenger.MAX} })
	b.run(tgFirst)
	if got, want := b.queued(tgFirst), []string{"telegram/101", "telegram/102", "max/203"}; !slices.Equal(got, want) {
		t.Fatalf("queued %v, want %v", got, want)
	}
}

// A campaign on Telegram only, under deny, reaches nobody: its leads are neither written to nor invited (no channel
// it may use has a link to give), and are counted as excluded.
func TestUnderDenyATelegramOnlyCampaignReachesNobody(t *testing.T) {
	b := fourClients(t)
	b.policy(messenger.ForeignDeny)
	c := b.campaign(campaigns.MissedCall, func(c *campaigns.Campaign) { c.Channels = []string{messenger.Telegram} })
	r := b.run(c)
	if r.Audience != 4 || r.Enqueued != 0 || r.Invited != 0 || r.Excluded != 4 {
		t.Fatalf("run %+v", r)
	}
}

// The frequency cap counts a client's messages on every messenger: a client written to on MAX by one campaign is
// not written to on Telegram by another within the cap (the client on both, and the one only on MAX). Quiet hours are the client's, whichever the channel.
func TestFrequencyCapAndQuietHoursHoldAcrossMessengers(t *testing.T) {
	b := fourClients(t)
	first := b.campaign(campaigns.MissedCall, func(c *campaigns.Campaign) { c.Channels = []string{messenger.MAX} })
	if r := b.run(first); r.Enqueued != 2 {
		t.Fatalf("first campaign on MAX %+v", r)
	}
	second := b.campaign(campaigns.MissedCall, func(c *campaigns.Campaign) {
		c.Name = "Только Telegram"
		c.Channels = []string{messenger.Telegram}
	})
	r := b.run(second)
	if got, want := b.queued(second), []string{"telegram/101"}; !slices.Equal(got, want) || r.Excluded != 2 {
		t.Fatalf("second campaign queued %v (run %+v), want only the client not written to on MAX", got, r)
	}
	var due []string
	rows, err := b.pool.Query(b.ctx, `SELECT channel || ' ' || to_char(not_before AT TIME ZONE 'UTC', 'HH24:MI') FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		due = append(due, s)
	}
	// 16:00 UTC is 19:00 in Moscow, before the quiet hours, on either messenger.
	if want := []string{"max 16:00", "max 16:00", "telegram 16:00"}; !slices.Equal(due, want) {
		t.Fatalf("due %v, want %v", due, want)
	}
}

// A campaign's channels are known messengers, each once, at least one.
func TestCampaignChannelsAreCheckedWithCodedMessages(t *testing.T) {
	b := newBank(t)
	for _, tc := range []struct {
		channels []string
		code     string
	}{
		{[]string{"whatsapp"}, "campaigns.channel_unknown"},
		{[]string{messenger.MAX, messenger.MAX}, "campaigns.channel_twice"},
	} {
		_, err := b.store.Create(b.ctx, campaigns.Campaign{Name: "Каналы", LeadKind: campaigns.MissedCall,
			Template: campaigns.Template{Body: "Здравствуйте"}, Channels: tc.channels})
		var m *msg.Error
		if !errors.As(err, &m) || m.Code != tc.code || m.Field != "channels" {
			t.Errorf("channels %v: %v, want %s", tc.channels, err, tc.code)
		}
	}
	c := b.campaign(campaigns.MissedCall)
	if !slices.Equal(c.Channels, []string{messenger.MAX, messenger.Telegram}) {
		t.Errorf("a campaign naming no channels writes on %v, want MAX then Telegram", c.Channels)
	}
}
