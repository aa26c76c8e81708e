package dialog_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"dozvon/campaigns"
	"dozvon/dialog"
	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// clock is a time tests move by hand, so SLA figures are exact to the millisecond.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// desk is a dialog service on a fresh database with a clock the test moves.
type desk struct {
	t      *testing.T
	ctx    context.Context
	pool   *pgxpool.Pool
	svc    *dialog.Service
	clock  *clock
	t0     time.Time
	update atomic.Int64
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	pool := pgtest.NewDB(t)
	t0 := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC) // 10:00 in Moscow
	d := &desk{t: t, ctx: context.Background(), pool: pool, clock: &clock{t: t0}, t0: t0}
	d.svc = d.service()
	return d
}

// service is one more dialog instance on the desk's database and clock.
func (d *desk) service() *dialog.Service {
	svc := dialog.New(d.pool, zerolog.Nop())
	svc.Now = d.clock.Now
	return svc
}

func (d *desk) exec(sql string, args ...any) {
	d.t.Helper()
	if _, err := d.pool.Exec(d.ctx, sql, args...); err != nil {
		d.t.Fatalf("%s: %v", sql, err)
	}
}

func (d *desk) int(sql string, args ...any) int64 {
	d.t.Helper()
	var n *int64
	if err := d.pool.QueryRow(d.ctx, sql, args...).Scan(&n); err != nil {
		d.t.Fatalf("%s: %v", sql, err)
	}
	if n == nil {
		return 0
	}
	return *n
}

func (d *desk) str(sql string, args ...any) string {
	d.t.Helper()
	var s *string
	if err := d.pool.QueryRow(d.ctx, sql, args...).Scan(&s); err != nil {
		d.t.Fatalf("%s: %v", sql, err)
	}
	if s == nil {
		return ""
	}
	return *s
}

func (d *desk) user(login, role string) int64 {
	d.t.Helper()
	return d.int(`INSERT INTO users (login, display_name, role, password_hash) VALUES ($1, $1, $2, 'x') RETURNING id`,
		login, role)
}

// operator adds an operator with a capacity, online.
func (d *desk) operator(login string, capacity int) int64 {
	d.t.Helper()
	id := d.user(login, "operator")
	if err := d.svc.SetCapacity(d.ctx, id, capacity); err != nil {
		d.t.Fatal(err)
	}
	d.presence(id, dialog.Online)
	return id
}

func (d *desk) presence(op int64, status string) {
	d.t.Helper()
	if err := d.svc.SetPresence(d.ctx, op, status); err != nil {
		d.t.Fatal(err)
	}
}

// client is a company with a lead of a kind whose chat has started the bot and is linked to the lead.
type client struct {
	ID, LeadID, ChatID int64
	BotID              int64 // the chat's bot: the environment's Telegram bot
}

// chat is the client's chat as the messenger reports it.
func (c client) chat() messenger.Chat {
	return messenger.Chat{Address: messenger.Address{Channel: messenger.Telegram, BotID: c.BotID, ChatID: c.ChatID},
		UserID: c.ChatID}
}

var nextChat atomic.Int64

func (d *desk) client(company, kind string) client {
	d.t.Helper()
	c := d.lead(company, kind)
	c.ChatID = 1000 + nextChat.Add(1)
	c.BotID = d.int(`SELECT min(id) FROM bots WHERE channel = 'telegram'`)
	contactID := d.int(`INSERT INTO contacts (channel, bot_id, chat_id, user_id, first_name, linked_via)
		VALUES ('telegram', $2, $1, $1, 'Ирина', 'deep_link') RETURNING id`, c.ChatID, c.BotID)
	d.exec(`INSERT INTO contact_leads (contact_id, lead_id, via) VALUES ($1, $2, 'deep_link')`, contactID, c.LeadID)
	return c
}

// lead is a company in Vladivostok with an account application and a lead of a kind, not in any chat yet.
func (d *desk) lead(company, kind string) client {
	d.t.Helper()
	var c client
	c.ID = d.int(`INSERT INTO clients (external_id, company_name, legal_form, inn, okved, region, timezone, contact_name)
		VALUES ($1, $1, 'ООО', '7707083893', '47.91', 'Приморский край', 'Asia/Vladivostok', 'Ирина Петровна') RETURNING id`,
		company)
	appID := d.int(`INSERT INTO applications (external_id, client_id, product, submitted_at, field_manager)
		VALUES ($1, $2, 'rko', $3, 'Алексей Смирнов') RETURNING id`, company+"-app", c.ID, d.t0.Add(-72*time.Hour))
	c.LeadID = d.int(`INSERT INTO leads (client_id, application_id, kind, status) VALUES ($1, $2, $3, 'offered') RETURNING id`,
		c.ID, appID, kind)
	return c
}

// write is the client sending text, now.
func (d *desk) write(c client, text string) {
	d.t.Helper()
	d.inbound(messenger.Inbound{InboxID: d.update.Add(1), Chat: c.chat(), Text: text, At: d.clock.Now()})
}

// press is the client pressing an inline button.
func (d *desk) press(c client, data string) {
	d.t.Helper()
	d.inbound(messenger.Inbound{InboxID: d.update.Add(1), Chat: c.chat(), CallbackData: data, At: d.clock.Now()})
}

func (d *desk) inbound(in messenger.Inbound) {
	d.t.Helper()
	if err := d.svc.HandleInbound(d.ctx, in); err != nil {
		d.t.Fatal(err)
	}
}

// conv is the client's open conversation (or, with none open, their latest).
func (d *desk) conv(c client) dialog.Conversation {
	d.t.Helper()
	id := d.int(`SELECT cv.id FROM conversations cv JOIN contacts ct ON ct.id = cv.contact_id
		WHERE ct.chat_id = $1 ORDER BY cv.status = 'closed', cv.id DESC LIMIT 1`, c.ChatID)
	cv, err := d.svc.Conversation(d.ctx, id)
	if err != nil {
		d.t.Fatal(err)
	}
	return cv
}

// operatorOf is who has the client's open conversation; 0 for nobody (or no conversation yet).
func (d *desk) operatorOf(c client) int64 {
	d.t.Helper()
	return d.int(`SELECT max(cv.operator_id) FROM conversations cv JOIN contacts ct ON ct.id = cv.contact_id
		WHERE ct.chat_id = $1 AND cv.status = 'assigned'`, c.ChatID)
}

func (d *desk) reply(c client, op int64, text string) int64 {
	d.t.Helper()
	id, err := d.svc.Reply(d.ctx, d.conv(c).ID, op, text)
	if err != nil {
		d.t.Fatal(err)
	}
	return id
}

// events returns the events of a kind, oldest first.
func (d *desk) events(kind string) []dialog.Event {
	d.t.Helper()
	all, err := dialog.NewEvents(d.pool).After(d.ctx, 0, 100000)
	if err != nil {
		d.t.Fatal(err)
	}
	var out []dialog.Event
	for _, e := range all {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func payload(t *testing.T, e dialog.Event) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.Payload, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// reason is the id of a refusal reason by its Russian label (the migration seeds the list).
func (d *desk) reason(labelRU string) int64 {
	d.t.Helper()
	return d.int(`SELECT id FROM refusal_reasons WHERE label_ru = $1`, labelRU)
}

func queueID(d *desk, name string) int64 {
	return d.int(`SELECT id FROM queues WHERE name = $1`, name)
}

// campaign creates a missed-call campaign whose message has these buttons.
func (d *desk) campaign(buttons ...campaigns.Button) int64 {
	d.t.Helper()
	c, err := campaigns.NewStore(d.pool).Create(d.ctx, campaigns.Campaign{Name: "Недозвон", LeadKind: "missed_call",
		Template: campaigns.Template{Body: "Здравствуйте, {{.Company}}! Мы не дозвонились по вашей заявке.", Buttons: buttons}})
	if err != nil {
		d.t.Fatal(err)
	}
	return c.ID
}

func route(text string) campaigns.Button {
	return campaigns.Button{Text: text, Action: campaigns.ActionRoute}
}

func callback(text string) campaigns.Button {
	return campaigns.Button{Text: text, Action: campaigns.ActionCallback}
}

func reply(text, answer string) campaigns.Button {
	return campaigns.Button{Text: text, Action: campaigns.ActionReply, Reply: answer}
}
