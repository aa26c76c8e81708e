package operatorui_test

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"dozvon/internal/auth"
	"dozvon/messenger"
)

type consoleSharedJSON struct {
	Kind    string   `json:"kind"`
	Text    string   `json:"text"`
	Lines   []string `json:"lines"`
	MapURL  string   `json:"map_url"`
	MapText string   `json:"map_text"`
}

// share is the client sharing something that is neither words nor a file, as the messenger hands it on.
func (d *consoleDesk) share(c consoleChat, s messenger.Shared) {
	d.t.Helper()
	err := d.Dialog.HandleInbound(context.Background(), messenger.Inbound{InboxID: d.update.Add(1),
		Chat: d.chat(c.ChatID), Shared: &s, At: time.Now()})
	if err != nil {
		d.t.Fatal(err)
	}
}

// A place, a venue, a poll, dice, a game and something Dozvon cannot show reach the operator worded in the
// operator's language, each time it is read (the database keeps data, not English), with a map link for a place;
// the supervisor's read-only view of the dialog shows the same.
func TestWhatAClientSharedIsWordedInTheReadersLanguage(t *testing.T) {
	d := newConsoleDesk(t)
	op := d.loggedIn(auth.Operator)
	d.online(d.ids[auth.Operator])
	c := d.chatWith("ООО Ромашка")
	d.share(c, messenger.Shared{Kind: messenger.SharedLocation, Latitude: 55.755826, Longitude: 37.6173})
	d.share(c, messenger.Shared{Kind: messenger.SharedVenue, Latitude: 55.7637, Longitude: 37.6049,
		Title: "Офис на Тверском", Address: "Тверской бульвар, 26А"})
	d.share(c, messenger.Shared{Kind: messenger.SharedPoll, Title: "Когда удобно созвониться?", Options: []string{"Утром", "После 18:00"}})
	d.share(c, messenger.Shared{Kind: messenger.SharedDice, Emoji: "🎲", Value: 4})
	d.share(c, messenger.Shared{Kind: messenger.SharedGame, Title: "Тетрис"})
	d.share(c, messenger.Shared{Kind: messenger.SharedOther, Name: "paid_media"})
	convID, holder := d.convOf(c)
	if holder != d.ids[auth.Operator] {
		t.Fatalf("the dialog went to %d", holder)
	}
	point := "https://www.openstreetmap.org/?mlat=55.755826&mlon=37.6173#map=17/55.755826/37.6173"
	venue := "https://www.openstreetmap.org/?mlat=55.7637&mlon=37.6049#map=17/55.7637/37.6049"
	want := map[string][]consoleSharedJSON{
		"en": {
			{Kind: "location", Text: "📍 Location: 55.755826, 37.6173", MapURL: point, MapText: "Open on the map"},
			{Kind: "venue", Text: "📍 Place: Офис на Тверском, Тверской бульвар, 26А", Lines: []string{"55.7637, 37.6049"},
				MapURL: venue, MapText: "Open on the map"},
			{Kind: "poll", Text: "📊 Poll: Когда удобно созвониться?", Lines: []string{"Утром", "После 18:00"}},
			{Kind: "dice", Text: "🎲 Dice thrown: 4"},
			{Kind: "game", Text: "🎮 Game: Тетрис"},
			{Kind: "other", Text: "The client sent something Dozvon cannot show (Telegram calls it “paid media”); ask them to put it in words."},
		},
		"ru": {
			{Kind: "location", Text: "📍 Геопозиция: 55.755826, 37.6173", MapURL: point, MapText: "Открыть на карте"},
			{Kind: "venue", Text: "📍 Место: Офис на Тверском, Тверской бульвар, 26А", Lines: []string{"55.7637, 37.6049"},
				MapURL: venue, MapText: "Открыть на карте"},
			{Kind: "poll", Text: "📊 Опрос: Когда удобно созвониться?", Lines: []string{"Утром", "После 18:00"}},
			{Kind: "dice", Text: "🎲 Брошен кубик: 4"},
			{Kind: "game", Text: "🎮 Игра: Тетрис"},
			{Kind: "other", Text: "Клиент отправил то, что Dozvon не умеет показать (в Telegram это «paid media»); попросите написать словами."},
		},
	}
	sup := d.loggedIn(auth.Supervisor)
	for _, locale := range []string{"en", "ru"} {
		d.post(op, "/account/locale", url.Values{"locale": {locale}})
		d.post(sup, "/account/locale", url.Values{"locale": {locale}})
		code, raw := d.call(op, "GET", fmt.Sprintf("/console/api/dialogs/%d", convID), nil)
		msgs := decode[struct {
			Messages []struct {
				Direction string             `json:"direction"`
				Text      string             `json:"text"`
				Shared    *consoleSharedJSON `json:"shared"`
			} `json:"messages"`
		}](t, raw).Messages
		var got []consoleSharedJSON
		for _, m := range msgs {
			if m.Direction == "in" && m.Text == "" && m.Shared != nil {
				got = append(got, *m.Shared)
			}
		}
		if code != 200 || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want[locale]) {
			t.Errorf("%s console:\n got %+v\nwant %+v", locale, got, want[locale])
		}

		res, page := d.get(sup, fmt.Sprintf("/live/dialogs/%d", convID))
		page = html.UnescapeString(page)
		if res.StatusCode != 200 {
			t.Fatalf("%s supervisor's view: %d", locale, res.StatusCode)
		}
		for _, s := range want[locale] {
			if !strings.Contains(page, s.Text) {
				t.Errorf("%s supervisor's view lacks %q", locale, s.Text)
			}
			if missing := slices.IndexFunc(s.Lines, func(l string) bool { return !strings.Contains(page, "<li>"+l+"</li>") }); missing >= 0 {
				t.Errorf("%s supervisor's view lacks the line %q", locale, s.Lines[missing])
			}
			if s.MapURL != "" && !strings.Contains(page, `href="`+s.MapURL+`"`) {
				t.Errorf("%s supervisor's view lacks the map link %s", locale, s.MapURL)
			}
		}
	}
	var stored string
	if err := d.Pool.QueryRow(context.Background(), `SELECT string_agg(text, '') FROM conversation_messages
		WHERE conversation_id = $1 AND direction = 'in'`, convID).Scan(&stored); err != nil || stored != "" {
		t.Fatalf("stored as text: %q, %v", stored, err)
	}
}
