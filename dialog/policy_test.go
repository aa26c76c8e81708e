package dialog_test

import (
	"errors"
	"testing"

	"dozvon/internal/msg"
	"dozvon/messenger"
)

// Under the foreign-messenger policy deny, a client who writes on Telegram reaches the operators (the message is
// received and shown), but an operator's answer to that chat is refused, saying why, and nothing is queued; the
// bot's own answers there are recorded cancelled, never sent.
func TestAnOperatorsReplyToATelegramChatUnderDenyIsRefused(t *testing.T) {
	d := newDesk(t)
	anna := d.operator("anna", 5)
	admin := d.user("admin", "admin")
	c := d.client("ООО Ромашка", "missed_call")
	if _, err := messenger.NewPolicies(d.pool).Set(d.ctx, messenger.Policy{Enabled: messenger.Channels,
		ForeignMessengers: messenger.ForeignDeny}, admin); err != nil {
		t.Fatal(err)
	}
	d.write(c, "Здравствуйте, у меня вопрос по счёту")
	if got := d.operatorOf(c); got != anna {
		t.Fatalf("the conversation is with %d, want anna (%d): what the client sends is received under deny", got, anna)
	}

	_, err := d.svc.Reply(d.ctx, d.conv(c).ID, anna, "Добрый день!")
	var refused *msg.Error
	if !errors.As(err, &refused) || refused.Code != "messenger.foreign_denied" || refused.Field != "text" ||
		err.Error() != "messenger: text: Dozvon does not write to clients on Telegram: it is a foreign messenger, and the installation's policy forbids them (Federal Law 41-FZ)" {
		t.Fatalf("the reply under deny: %v", err)
	}
	if n := d.int(`SELECT count(*) FROM outbox WHERE state <> 'cancelled'`); n != 0 {
		t.Fatalf("%d messages would go to Telegram under deny", n)
	}
	if n := d.int(`SELECT count(*) FROM conversation_messages WHERE direction = 'out' AND author_id IS NOT NULL`); n != 0 {
		t.Fatalf("the refused reply was recorded as sent (%d)", n)
	}

	// With allow again, the same reply goes.
	if _, err := messenger.NewPolicies(d.pool).Set(d.ctx, messenger.Policy{Enabled: messenger.Channels,
		ForeignMessengers: messenger.ForeignAllow}, admin); err != nil {
		t.Fatal(err)
	}
	d.reply(c, anna, "Добрый день!")
	if n := d.int(`SELECT count(*) FROM outbox WHERE state = 'queued' AND text = 'Добрый день!'`); n != 1 {
		t.Fatalf("%d replies queued under allow, want 1", n)
	}
}
