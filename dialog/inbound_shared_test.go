package dialog_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"dozvon/messenger"
	"dozvon/messenger/telegram/tgfake"
)

// shared is what the dialog recorded as shared with each of a chat's client messages, oldest first (nil for a
// message that shared nothing).
func (l *line) shared(chatID int64) []*messenger.Shared {
	l.t.Helper()
	raw := l.str(`
		SELECT coalesce(json_agg(m.payload->'shared' ORDER BY m.id), '[]') FROM conversation_messages m
		JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id
		WHERE ct.chat_id = $1 AND m.direction = 'in'`, chatID)
	var out []*messenger.Shared
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		l.t.Fatal(err)
	}
	return out
}

// A client shares a place, a venue, a poll and dice, forwards a game and a story: each reaches the operator as
// what it is, stored as data for the console to word in the operator's language; what Dozvon does not show is
// named by the kind Telegram gives it. A contact card of someone else is still refused and asked again, and a
// pinned message is nothing to answer: neither is in the dialog.
func TestAPlaceAPollDiceAndWhatDozvonCannotShowReachTheOperator(t *testing.T) {
	l := newLine(t)
	u := l.fake.AddUser(tgfake.User{FirstName: "Ирина"})
	other := l.fake.AddUser(tgfake.User{FirstName: "Бухгалтер", Phone: "+79181234567"})
	raw := func(content string) (tgfake.Update, error) {
		return l.fake.SendRaw(json.RawMessage(fmt.Sprintf(`{"message": {"message_id": 90, "date": 1767225600,
			"chat": {"id": %d, "type": "private", "first_name": "Ирина"},
			"from": {"id": %[1]d, "is_bot": false, "first_name": "Ирина"}, %s}}`, u.ID, content)))
	}
	l.send(l.fake.SendLocation(u.ID, 55.755826, 37.6173))
	l.send(l.fake.SendVenue(u.ID, 55.7637, 37.6049, "Офис на Тверском", "Тверской бульвар, 26А"))
	l.send(l.fake.SendPoll(u.ID, "Когда удобно созвониться?", "Утром", "После 18:00"))
	l.send(l.fake.SendDice(u.ID, "🎲", 4))
	l.send(raw(`"game": {"title": "Тетрис", "description": "Игра", "photo": [{"file_id": "AgAG",
		"file_unique_id": "AQAG", "width": 640, "height": 360}]}`))
	l.send(raw(`"story": {"chat": {"id": -1002, "type": "channel", "title": "Новости"}, "id": 12}`))
	l.send(raw(`"location": {"latitude": "north"}`)) // a shape Dozvon cannot read
	l.send(l.fake.ShareForeignContact(u.ID, other.Phone, other.ID))
	l.send(raw(`"pinned_message": {"chat": {"id": 1, "type": "private"}, "message_id": 3, "date": 0}`))
	l.send(l.fake.SendText(u.ID, "Это наш офис"))

	l.eventually("every update is processed", func() bool {
		return l.int(`SELECT count(*) FROM inbox WHERE processed_at IS NOT NULL`) == 10
	})
	want := []*messenger.Shared{
		{Kind: messenger.SharedLocation, Latitude: 55.755826, Longitude: 37.6173},
		{Kind: messenger.SharedVenue, Latitude: 55.7637, Longitude: 37.6049, Title: "Офис на Тверском", Address: "Тверской бульвар, 26А"},
		{Kind: messenger.SharedPoll, Title: "Когда удобно созвониться?", Options: []string{"Утром", "После 18:00"}},
		{Kind: messenger.SharedDice, Emoji: "🎲", Value: 4},
		{Kind: messenger.SharedGame, Title: "Тетрис"},
		{Kind: messenger.SharedOther, Name: "story"},
		{Kind: messenger.SharedOther, Name: "location"},
		nil,
	}
	if got := l.shared(u.ID); !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("shared:\n got %s\nwant %s", g, w)
	}
	if got := l.clientText(u.ID); got != " |  |  |  |  |  |  | Это наш офис" {
		t.Errorf("texts %q: nothing shared is turned into words in the database", got)
	}
	if e := l.str(`SELECT string_agg(error, ';') FROM inbox WHERE error <> ''`); e != "" {
		t.Fatalf("processing error: %s", e)
	}
	l.eventually("the bot asks for the client's own phone", func() bool {
		for _, m := range l.fake.Sent(u.ID) {
			if m.FromBot() && m.Text == "Пожалуйста, поделитесь своим номером с помощью кнопки ниже, а не чужим контактом." {
				return true
			}
		}
		return false
	})
	if n := l.int(`SELECT count(*) FROM contacts WHERE chat_id = $1 AND phone IS NOT NULL`, u.ID); n != 0 {
		t.Errorf("someone else's contact linked a phone")
	}
}
