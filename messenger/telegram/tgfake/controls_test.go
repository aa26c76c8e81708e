package tgfake

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

func TestStartServerWithClient(t *testing.T) {
	f := New(Options{BotUsername: "dozvon_test_bot", Token: "42:secret"})
	url, stop := f.StartServer()
	defer stop()

	b, err := bot.New("42:secret", bot.WithServerURL(url))
	if err != nil {
		t.Fatal(err)
	}
	me, err := b.GetMe(ctxTimeout(t))
	if err != nil || me.ID != 42 || me.Username != "dozvon_test_bot" {
		t.Fatalf("GetMe = %+v, %v", me, err)
	}
	u := startedUser(t, f, User{FirstName: "Anna"})
	go func() {
		_, _ = b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: u.ID, Text: "hello"})
	}()
	sent, err := f.WaitSent(ctxTimeout(t), u.ID, 1)
	if err != nil || len(sent) != 2 || sent[1].Text != "hello" {
		t.Errorf("WaitSent = %+v, %v", sent, err)
	}
	if got := f.BotMessages(); len(got) != 1 || got[0].Text != "hello" {
		t.Errorf("BotMessages = %+v", got)
	}
}

func TestUsersAndHistoryLimit(t *testing.T) {
	f, base := newServed(t, Options{HistoryLimit: 3, Flood: FloodLimits{Disabled: true}})
	a := f.AddUser(User{FirstName: "Anna"})
	b := f.AddUser(User{ID: 7, FirstName: "Boris"})
	c := f.AddUser(User{})
	if a.ID != 100000001 || b.ID != 7 || c.ID != 100000002 || c.FirstName != "User 100000002" {
		t.Errorf("ids/names = %+v %+v %+v", a, b, c)
	}
	f.AddUser(User{ID: 7, FirstName: "Boris", Username: "boris"})
	users := f.Users()
	if len(users) != 3 || users[1].Username != "boris" || users[0].ID != a.ID {
		t.Errorf("Users = %+v", users)
	}
	if _, err := f.SendText(999, "hi"); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("unknown user: %v", err)
	}
	if _, err := f.SendText(a.ID, "   "); !errors.Is(err, ErrEmptyText) {
		t.Errorf("empty text: %v", err)
	}

	for _, text := range []string{"1", "2", "3", "4"} {
		if _, err := f.SendText(a.ID, text); err != nil {
			t.Fatal(err)
		}
	}
	callJSON(t, base, f.Token(), "sendMessage", map[string]any{"chat_id": a.ID, "text": "5"})
	sent := f.Sent(a.ID)
	if len(sent) != 3 || sent[0].Text != "3" || sent[2].Text != "5" || sent[2].MessageID != 5 {
		t.Errorf("history with limit 3 = %+v", sent)
	}
}

func TestWaitUntilHonoursContext(t *testing.T) {
	f := New(Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := f.WaitSent(ctx, 1, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitSent = %v", err)
	}
	f.Close()
	if err := f.WaitUntil(context.Background(), func() bool { return false }); err == nil {
		t.Error("WaitUntil on closed fake returned nil")
	}
}

func TestConcurrentSenders(t *testing.T) {
	f, base := newServed(t, Options{Flood: FloodLimits{Disabled: true}})
	var ids []int64
	for range 10 {
		ids = append(ids, startedUser(t, f, User{}).ID)
	}
	tg := newBot(t, f, base)
	const workers, each = 20, 25
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			var err error
			for i := range each {
				if _, e := tg.SendMessage(context.Background(), &bot.SendMessageParams{
					ChatID: ids[(w+i)%len(ids)], Text: "load"}); e != nil {
					err = e
				}
			}
			errs <- err
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := len(f.BotMessages()); got != workers*each {
		t.Errorf("BotMessages = %d, want %d", got, workers*each)
	}
	for _, id := range ids {
		for i, m := range f.Sent(id) {
			if m.MessageID != i+1 {
				t.Fatalf("chat %d: message %d has id %d", id, i, m.MessageID)
			}
		}
	}
}
