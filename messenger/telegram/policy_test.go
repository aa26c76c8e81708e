package telegram_test

import (
	"testing"

	"dozvon/internal/msg"
	"dozvon/messenger"
	"dozvon/messenger/telegram/tgfake"
)

// A bank switches the foreign-messenger policy to deny while messages wait in Telegram's queue: a campaign's
// offer and an operator's answer queued before the switch are cancelled, not sent, and say why; what is queued
// after it is recorded cancelled at once. Switching back to allow lets new messages go again.
func TestMessagesQueuedOnTelegramBeforeTheSwitchToDenyAreCancelledNotSent(t *testing.T) {
	w := newWorld(t, tgfake.FloodLimits{Disabled: true})
	policies := messenger.NewPolicies(w.pool)
	anna, boris := w.chat("Анна"), w.chat("Борис")
	offer := w.queue(anna, "Откройте счёт сегодня", true)
	answer := w.queue(boris, "Добрый день, это банк", false)

	admin := w.admin()
	if _, err := policies.Set(w.ctx, messenger.Policy{Enabled: messenger.Channels, ForeignMessengers: messenger.ForeignDeny}, admin); err != nil {
		t.Fatal(err)
	}
	after := w.queue(anna, "Напоминаем о заявке", false)
	if got := w.state(after); got.State != "cancelled" || got.LastError != msg.Record(msg.New("messenger.foreign_denied", "Telegram")) {
		t.Fatalf("a message queued under deny: %+v, want recorded cancelled with the reason", got)
	}

	w.sending(messenger.SenderConfig{Unlimited: true})
	w.eventually("the queued messages are cancelled", func() bool {
		return w.state(offer).State == "cancelled" && w.state(answer).State == "cancelled"
	})
	for _, id := range []int64{offer, answer} {
		if got := w.state(id); got.LastError != msg.Record(msg.New("messenger.foreign_denied", "Telegram")) || got.MessageRef != nil {
			t.Fatalf("message %d: %+v", id, got)
		}
	}
	if n := w.fake.Calls("sendMessage"); n != 0 {
		t.Fatalf("%d sendMessage calls under deny, want none", n)
	}

	if _, err := policies.Set(w.ctx, messenger.Policy{Enabled: messenger.Channels, ForeignMessengers: messenger.ForeignAllow}, admin); err != nil {
		t.Fatal(err)
	}
	again := w.queue(anna, "Мы снова на связи", false)
	w.eventually("the message after allow is sent", func() bool { return w.state(again).State == "sent" })
	if n, text := w.botMessages(anna), w.lastBotText(anna); n != 1 || text != "Мы снова на связи" {
		t.Fatalf("Анна got %d messages, the last %q; want only the one queued under allow", n, text)
	}
}

// admin creates an administrator, who sets the policy.
func (w *world) admin() int64 {
	w.t.Helper()
	var id int64
	if err := w.pool.QueryRow(w.ctx, `INSERT INTO users (login, display_name, role, password_hash)
		VALUES ('admin', 'Admin', 'admin', 'x') RETURNING id`).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	return id
}
