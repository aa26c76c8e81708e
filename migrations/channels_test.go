package migrations_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"dozvon/internal/pg"
	"dozvon/internal/pg/pgtest"
	"dozvon/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestChannelsMigrationKeepsTelegramData writes what a database held before channels (00022) — a contact, its
// lead, an opt-out, an invitation, queued and sent messages, processed and waiting updates, a file, a conversation
// and the pacing row — migrates it, and reads every row back under the new names: nothing is lost, everything is
// the environment's Telegram bot's, and the first Telegram bot that registers adopts that bot.
func TestChannelsMigrationKeepsTelegramData(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Cluster(t)
	name := "legacy_channels"
	admin, err := pgx.Connect(ctx, c.ConnString("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	pool, err := pg.Connect(ctx, c.ConnString(name), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.UpTo(ctx, 22); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
	}
	exec(`INSERT INTO clients (external_id, company_name, phone) VALUES ('c1', 'ООО Ромашка', '+79990000001')`)
	exec(`INSERT INTO leads (client_id, kind) VALUES (1, 'missed_call')`)
	exec(`INSERT INTO contacts (chat_id, tg_user_id, username, first_name, phone, status, linked_via)
	      VALUES (5550001, 5550001, 'anna', 'Анна', '+79990000001', 'opted_out', 'deep_link'),
	             (5550002, 5550002, 'boris', 'Борис', NULL, 'active', 'contact')`)
	exec(`INSERT INTO contact_leads (contact_id, lead_id, via) VALUES (1, 1, 'deep_link')`)
	exec(`INSERT INTO invitations (token, lead_id, used_at, contact_id) VALUES ('tok1', 1, now(), 1)`)
	exec(`INSERT INTO opt_outs (phone, chat_id, source) VALUES ('+79990000001', 5550001, '/stop')`)
	exec(`INSERT INTO outbox (chat_id, text, state, tg_message_id, sent_at) VALUES (5550001, 'Привет', 'sent', 987654321, now())`)
	exec(`INSERT INTO outbox (chat_id, text) VALUES (5550002, 'В очереди')`)
	exec(`INSERT INTO send_pacing (bot, paused_until) VALUES ('dozvon_bot', '2030-01-01')`)
	exec(`INSERT INTO inbox (update_id, payload, processed_at) VALUES (700, '{"update_id": 700}', now())`)
	exec(`INSERT INTO inbox (update_id, payload) VALUES (701, '{"update_id": 701}')`)
	exec(`INSERT INTO inbound_files (update_id, seq, kind, remote_id) VALUES (700, 0, 'photo', 'AgAD')`)
	exec(`INSERT INTO conversations (contact_id, lead_id) VALUES (1, 1)`)
	exec(`INSERT INTO conversation_messages (conversation_id, direction, text, update_id) VALUES (1, 'in', 'Здравствуйте', 700)`)

	if _, err := provider.UpTo(ctx, 23); err != nil {
		t.Fatal(err)
	}

	var legacy int64
	var remote *string
	if err := pool.QueryRow(ctx, `SELECT id, remote_id FROM bots WHERE channel = 'telegram'`).Scan(&legacy, &remote); err != nil {
		t.Fatal(err)
	}
	if remote != nil {
		t.Errorf("the legacy bot's remote id = %q, want NULL until a bot registers", *remote)
	}
	got := func(sql string) string {
		t.Helper()
		var s string
		if err := pool.QueryRow(ctx, sql).Scan(&s); err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
		return s
	}
	want := map[string]string{
		`SELECT string_agg(format('%s/%s/%s/%s/%s/%s/%s/%s', id, channel, bot_id, chat_id, user_id, username, phone, status), ' ' ORDER BY id) FROM contacts`: fmt.Sprintf("1/telegram/%d/5550001/5550001/anna/+79990000001/opted_out 2/telegram/%[1]d/5550002/5550002/boris//active", legacy),
		`SELECT string_agg(format('%s/%s/%s', contact_id, lead_id, via), ' ') FROM contact_leads`:                                                             "1/1/deep_link",
		`SELECT string_agg(format('%s/%s/%s/%s', token, channel, bot_id, contact_id), ' ') FROM invitations`:                                                  fmt.Sprintf("tok1/telegram/%d/1", legacy),
		`SELECT string_agg(format('%s/%s/%s/%s/%s/%s', phone, chat_id, channel, bot_id, client_id, source), ' ') FROM opt_outs`:                               fmt.Sprintf("+79990000001/5550001/telegram/%d/1//stop", legacy),
		`SELECT string_agg(format('%s/%s/%s/%s/%s/%s', id, channel, bot_id, chat_id, state, message_ref), ' ' ORDER BY id) FROM outbox`:                       fmt.Sprintf("1/telegram/%d/5550001/sent/987654321 2/telegram/%[1]d/5550002/queued/", legacy),
		`SELECT string_agg(format('%s/%s', bot_id, paused_until AT TIME ZONE 'UTC'), ' ') FROM send_pacing`:                                                   fmt.Sprintf("%d/2030-01-01 00:00:00", legacy),
		`SELECT string_agg(format('%s/%s/%s/%s', id, bot_id, key, processed_at IS NOT NULL), ' ' ORDER BY id) FROM inbox`:                                     fmt.Sprintf("700/%d/700/t 701/%[1]d/701/f", legacy),
		`SELECT string_agg(format('%s/%s/%s', inbox_id, bot_id, remote_id), ' ') FROM inbound_files`:                                                          fmt.Sprintf("700/%d/AgAD", legacy),
		`SELECT string_agg(format('%s/%s', contact_id, channel), ' ') FROM conversations`:                                                                     "1/telegram",
		`SELECT string_agg(format('%s/%s', inbox_id, text), ' ') FROM conversation_messages`:                                                                  "700/Здравствуйте",
	}
	for sql, w := range want {
		if g := got(sql); g != w {
			t.Errorf("%s\n got %s\nwant %s", sql, g, w)
		}
	}
	// A new update comes after the old ones, whatever its key.
	if id := got(fmt.Sprintf(`INSERT INTO inbox (bot_id, key, payload) VALUES (%d, '1', '{}') RETURNING id::text`, legacy)); id != "702" {
		t.Errorf("a new inbox row's id = %s, want 702", id)
	}
	// Down and up again: a Telegram-only database goes back to the old tables and returns unchanged.
	if _, err := provider.DownTo(ctx, 22); err != nil {
		t.Fatal(err)
	}
	if g := got(`SELECT string_agg(format('%s/%s', chat_id, tg_message_id), ' ' ORDER BY id) FROM outbox`); g != "5550001/987654321 5550002/" {
		t.Errorf("outbox after down = %s", g)
	}
	if _, err := provider.UpTo(ctx, 23); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT id FROM bots WHERE channel = 'telegram'`).Scan(&legacy); err != nil {
		t.Fatal(err)
	}
	if g, w := got(`SELECT string_agg(format('%s/%s/%s', id, bot_id, key), ' ' ORDER BY id) FROM inbox`), fmt.Sprintf("700/%d/700 701/%[1]d/701 702/%[1]d/702", legacy); g != w {
		t.Errorf("inbox after down and up = %s, want %s", g, w)
	}
	// The same chat id on another bot is another chat; on the same bot it is the same one.
	exec(`INSERT INTO bots (channel, remote_id, username) VALUES ('max', '42', 'dozvon_max')`)
	exec(`INSERT INTO contacts (channel, bot_id, chat_id) SELECT 'max', id, 5550001 FROM bots WHERE remote_id = '42'`)
	if _, err := pool.Exec(ctx, `INSERT INTO contacts (channel, bot_id, chat_id) VALUES ('telegram', $1, 5550001)`, legacy); err == nil {
		t.Error("a second contact for the same bot and chat was accepted")
	}
	if _, err := pool.Exec(ctx, `INSERT INTO contacts (channel, bot_id, chat_id) VALUES ('max', $1, 5550009)`, legacy); err == nil {
		t.Error("a contact whose channel is not its bot's was accepted")
	}
	if _, err := provider.DownTo(ctx, 22); err == nil {
		t.Error("a database with a MAX chat went back to Telegram-only tables")
	}
}
