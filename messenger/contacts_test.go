package messenger_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// A person pastes an invitation however they got it: the link from a campaign on either messenger, the link
// without https://, the form Telegram's apps open, or just the token.
func TestParseInviteLinkReadsWhatPeoplePaste(t *testing.T) {
	tg, mx := messenger.Telegram, messenger.MAX
	for in, want := range map[string][3]string{
		"https://t.me/dozvon_bot?start=AbC-12_x":                  {tg, "dozvon_bot", "AbC-12_x"},
		messenger.InviteLink(tg, "dozvon_bot", "tok"):             {tg, "dozvon_bot", "tok"},
		"  t.me/dozvon_bot?start=tok  ":                           {tg, "dozvon_bot", "tok"},
		"https://telegram.me/dozvon_bot/?start=tok":               {tg, "dozvon_bot", "tok"},
		"tg://resolve?domain=dozvon_bot&start=tok":                {tg, "dozvon_bot", "tok"},
		"Zx9_-Zx9_-Zx9_-Zx9_-Zx":                                  {"", "", "Zx9_-Zx9_-Zx9_-Zx9_-Zx"},
		"https://t.me/dozvon_bot?start=tok&utm_source=sms#frag":   {tg, "dozvon_bot", "tok"},
		messenger.InviteLink(mx, "dozvon_max_bot", "tok"):         {mx, "dozvon_max_bot", "tok"},
		"max.ru/dozvon_max_bot?start=AbC-12_x":                    {mx, "dozvon_max_bot", "AbC-12_x"},
		"https://MAX.ru/dozvon_max_bot/?start=tok&utm_source=sms": {mx, "dozvon_max_bot", "tok"},
	} {
		channel, bot, token, err := messenger.ParseInviteLink(in)
		if err != nil || channel != want[0] || bot != want[1] || token != want[2] {
			t.Errorf("ParseInviteLink(%q) = %q, %q, %q, %v; want %q", in, channel, bot, token, err, want)
		}
	}
	if got := messenger.InviteLink(mx, "dozvon_max_bot", "tok"); got != "https://max.ru/dozvon_max_bot?start=tok" {
		t.Errorf("MAX invitation link %q", got)
	}
	for _, in := range []string{
		"", "https://t.me/dozvon_bot", "https://t.me/dozvon_bot?start=", "https://evil.example/x?start=tok",
		"https://t.me/dozvon_bot?start=<script>", "token with spaces", "https://t.me/a/b?start=tok",
		"https://max.ru/dozvon_max_bot", "https://max.ru.evil.example/b?start=tok", "ftp://max.ru/b?start=tok",
	} {
		if _, _, _, err := messenger.ParseInviteLink(in); !errors.Is(err, messenger.ErrBadInviteLink) {
			t.Errorf("ParseInviteLink(%q): %v, want ErrBadInviteLink", in, err)
		}
	}
}

// The registry page shows how many contacts have each status; the simulator walks all of them at start.
func TestContactsCountsAndEach(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	contacts := messenger.NewContacts(pool)
	bot := registerBot(t, pool, messenger.Telegram, "1")
	for i, name := range []string{"Anna", "Boris", "Vera", "Gleb"} {
		chat := chatOf(bot, int64(100+i))
		chat.FirstName = name
		if _, err := contacts.Seen(ctx, chat); err != nil {
			t.Fatal(err)
		}
	}
	if err := contacts.MarkBlocked(ctx, chatOf(bot, 101).Address, "test"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{102, 103} {
		if err := contacts.OptOut(ctx, chatOf(bot, id), "/stop"); err != nil {
			t.Fatal(err)
		}
	}

	counts, err := contacts.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts != (messenger.StatusCounts{Active: 1, Blocked: 1, OptedOut: 2}) || counts.Total() != 4 {
		t.Errorf("Counts = %+v (total %d), want 1 active, 1 blocked, 2 opted out", counts, counts.Total())
	}

	var walked []string
	err = contacts.Each(ctx, func(c messenger.Contact) error {
		walked = append(walked, fmt.Sprintf("%d %s", c.ChatID, c.Status))
		return nil
	})
	if want := []string{"100 active", "101 blocked", "102 opted_out", "103 opted_out"}; err != nil ||
		!slices.Equal(walked, want) {
		t.Errorf("Each walked %q, %v; want %q, oldest first", walked, err, want)
	}
	stop := errors.New("enough")
	if err := contacts.Each(ctx, func(messenger.Contact) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("Each did not return fn's error: %v", err)
	}
}

// The simulator numbers its updates after the last one its bot stored, so none is mistaken for a redelivery;
// another bot's keys are not its own.
func TestInboxLastNumericKeyIsPerBot(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewDB(t)
	inbox := messenger.NewInbox(pool)
	tg, other := registerBot(t, pool, messenger.Telegram, "1"), registerBot(t, pool, messenger.Telegram, "2")
	if id, err := inbox.LastNumericKey(ctx, tg.ID); err != nil || id != 0 {
		t.Fatalf("empty inbox: %d, %v; want 0", id, err)
	}
	empty := []json.RawMessage{[]byte(`{}`), []byte(`{}`), []byte(`{}`)}
	if _, err := inbox.Store(ctx, tg.ID, []string{"7", "41", "12"}, empty); err != nil {
		t.Fatal(err)
	}
	if _, err := inbox.Store(ctx, other.ID, []string{"900", "x", "8"}, empty); err != nil {
		t.Fatal(err)
	}
	if id, err := inbox.LastNumericKey(ctx, tg.ID); err != nil || id != 41 {
		t.Errorf("LastNumericKey = %d, %v; want 41", id, err)
	}
}
