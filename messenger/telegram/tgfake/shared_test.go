package tgfake

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"dozvon/internal/apispec"
)

// A user shares a location, a venue, a poll and dice: the bot receives each as the Bot API 10.1 delivers it, a
// valid Update by the specification, with the values the user gave.
func TestUserSharesAPlaceAPollAndDiceInTheBotAPIsWireFormat(t *testing.T) {
	spec := apispec.TelegramForTest(t)
	f, base := newServed(t, Options{Flood: FloodLimits{Disabled: true}})
	u := startedUser(t, f, User{FirstName: "Анна"})
	for _, send := range []func() (Update, error){
		func() (Update, error) { return f.SendLocation(u.ID, 55.755826, 37.6173) },
		func() (Update, error) {
			return f.SendVenue(u.ID, 55.7637, 37.6049, "Кафе «Пушкинъ»", "Тверской бульвар, 26А")
		},
		func() (Update, error) {
			return f.SendPoll(u.ID, "  Когда удобно созвониться? ", "Утром", "После 18:00")
		},
		func() (Update, error) { return f.SendDice(u.ID, "🎯", 6) },
	} {
		if _, err := send(); err != nil {
			t.Fatal(err)
		}
	}
	_, res, _ := callJSON(t, base, f.Token(), "getUpdates", map[string]any{})
	dec := json.NewDecoder(strings.NewReader(string(res.Result)))
	dec.UseNumber()
	var updates []any
	if err := dec.Decode(&updates); err != nil {
		t.Fatal(err)
	}
	updates = updates[len(updates)-4:]
	for i, up := range updates {
		for _, err := range spec.CheckObject("Update", up) {
			t.Errorf("update %d: %v", i, err)
		}
	}
	var got []struct {
		Message struct {
			Location *Location `json:"location"`
			Venue    *Venue    `json:"venue"`
			Poll     *Poll     `json:"poll"`
			Dice     *Dice     `json:"dice"`
		} `json:"message"`
	}
	raw, _ := json.Marshal(updates)
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	place := Location{Latitude: 55.7637, Longitude: 37.6049}
	if m := got[0].Message; m.Location == nil || *m.Location != (Location{Latitude: 55.755826, Longitude: 37.6173}) ||
		m.Venue != nil || m.Poll != nil || m.Dice != nil {
		t.Errorf("location: %+v", m)
	}
	if m := got[1].Message; m.Venue == nil || *m.Venue != (Venue{Location: place, Title: "Кафе «Пушкинъ»",
		Address: "Тверской бульвар, 26А"}) || m.Location == nil || *m.Location != place {
		t.Errorf("venue: %+v", m)
	}
	if p := got[2].Message.Poll; p == nil || p.Question != "Когда удобно созвониться?" || len(p.Options) != 2 ||
		p.Options[0] != (PollOption{PersistentID: "0", Text: "Утром"}) || p.Options[1].Text != "После 18:00" ||
		!p.IsAnonymous || p.Type != "regular" || p.ID == "" {
		t.Errorf("poll: %+v", p)
	}
	if d := got[3].Message.Dice; d == nil || *d != (Dice{Emoji: "🎯", Value: 6}) {
		t.Errorf("dice: %+v", d)
	}
}

// What Telegram's apps would not let a user send is refused, and nothing is queued.
func TestUserCannotShareWhatTelegramsAppsWouldNotSend(t *testing.T) {
	f := New(Options{})
	u := startedUser(t, f, User{FirstName: "Анна"})
	before := len(f.Sent(u.ID))
	for _, tc := range []struct {
		err  error
		want error
	}{
		{second(f.SendLocation(u.ID, 91, 0)), ErrBadLocation},
		{second(f.SendVenue(u.ID, 55, 37, "Офис", " ")), ErrBadVenue},
		{second(f.SendPoll(u.ID, "Когда?")), ErrBadPoll},
		{second(f.SendPoll(u.ID, "Когда?", strings.Repeat("я", 101))), ErrBadPoll},
		{second(f.SendDice(u.ID, "🏀", 6)), ErrBadDice},
		{second(f.SendDice(u.ID, "🃏", 1)), ErrBadDice},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("got %v, want %v", tc.err, tc.want)
		}
	}
	if n := len(f.Sent(u.ID)); n != before {
		t.Errorf("%d messages recorded after refusals", n-before)
	}
}

func second(_ Update, err error) error { return err }
