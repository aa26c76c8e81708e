package max_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"dozvon/messenger"
	"dozvon/messenger/max"
	"dozvon/messenger/max/maxfake"
)

const annaUser = `{"user_id":101,"first_name":"Анна","last_name":"Петрова","username":null,"is_bot":false,"last_activity_time":1775025580000,"name":"Анна Петрова"}`

func message(body string) string {
	return `{"update_type":"message_created","timestamp":1775025604499,"user_locale":"ru","message":{"sender":` + annaUser +
		`,"recipient":{"chat_id":501,"chat_type":"dialog","user_id":900},"timestamp":1775025604499,"body":` + body + `}}`
}

var anna = messenger.Chat{Address: maxChat(501), UserID: 101, FirstName: "Анна"}

func TestUpdatesDecodeIntoEvents(t *testing.T) {
	at := time.UnixMilli(1775025604499).UTC()
	const ownHash = "3f1d9c0a6b2e4d5f8a7c6b5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c"
	ownVCF := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Анна Петрова\r\nTEL;TYPE=cell:+79001234567\r\nEND:VCARD"
	ownContact, _ := json.Marshal(map[string]any{"type": "contact", "payload": map[string]any{
		"vcf_info": ownVCF, "hash": ownHash, "max_info": json.RawMessage(annaUser)}})
	for _, tc := range []struct {
		name, payload string
		want          max.Event
	}{
		{"text", message(`{"mid":"mid.1","seq":1,"text":"Здравствуйте","attachments":null}`),
			max.Event{Kind: max.KindMessage, Type: "message_created", Key: "message_created:mid.1", Chat: anna, At: at,
				Mid: "mid.1", Text: "Здравствуйте"}},
		{"files", message(`{"mid":"mid.2","seq":2,"text":"скан","attachments":[{"type":"image","payload":{"photo_id":7,"url":"https://i.max.ru/7","token":"t7"}},{"type":"file","payload":{"url":"https://f.max.ru/8","token":"t8"},"filename":"выписка.pdf","size":2048},{"type":"inline_keyboard","payload":{"buttons":[]}}]}`),
			max.Event{Kind: max.KindMessage, Type: "message_created", Key: "message_created:mid.2", Chat: anna, At: at,
				Mid: "mid.2", Text: "скан", Files: []messenger.RemoteFile{{Kind: "photo", RemoteID: "https://i.max.ru/7", Name: "photo"},
					{Kind: "document", RemoteID: "https://f.max.ru/8", Name: "выписка.pdf", Size: 2048}}}},
		{"own contact", message(`{"mid":"mid.3","seq":3,"text":null,"attachments":[` + string(ownContact) + `]}`),
			max.Event{Kind: max.KindMessage, Type: "message_created", Key: "message_created:mid.3", Chat: anna, At: at,
				Mid: "mid.3", Contact: &max.Contact{Phone: "+79001234567", Name: "Анна Петрова", UserID: 101, Own: true,
					VCF: ownVCF, Hash: ownHash}}},
		{"someone else's contact", message(`{"mid":"mid.4","seq":4,"text":"","attachments":[{"type":"contact","payload":{"vcf_info":"BEGIN:VCARD\nFN:Иван\nTEL:89007654321\nEND:VCARD","max_info":{"user_id":202,"first_name":"Иван"}}}]}`),
			max.Event{Kind: max.KindMessage, Type: "message_created", Key: "message_created:mid.4", Chat: anna, At: at,
				Mid: "mid.4", Contact: &max.Contact{Phone: "89007654321", Name: "Иван", UserID: 202,
					VCF: "BEGIN:VCARD\nFN:Иван\nTEL:89007654321\nEND:VCARD"}}},
		{"place", message(`{"mid":"mid.5","seq":5,"text":"","attachments":[{"type":"location","latitude":55.75,"longitude":37.62}]}`),
			max.Event{Kind: max.KindMessage, Type: "message_created", Key: "message_created:mid.5", Chat: anna, At: at,
				Mid: "mid.5", Shared: &messenger.Shared{Kind: messenger.SharedLocation, Latitude: 55.75, Longitude: 37.62}}},
		{"an attachment Dozvon does not show", message(`{"mid":"mid.6","seq":6,"text":"","attachments":[{"type":"poll","payload":{"q":1}}]}`),
			max.Event{Kind: max.KindMessage, Type: "message_created", Key: "message_created:mid.6", Chat: anna, At: at,
				Mid: "mid.6", Shared: &messenger.Shared{Kind: messenger.SharedOther, Name: "poll"}}},
		{"a field of an odd shape keeps the words", message(`{"mid":"mid.7","seq":7,"text":"всё равно прочитано","attachments":{"not":"a list"},"markup":5,"new_field":[1]}`),
			max.Event{Kind: max.KindMessage, Type: "message_created", Key: "message_created:mid.7", Chat: anna, At: at,
				Mid: "mid.7", Text: "всё равно прочитано", Odd: []string{"message.body.attachments"}}},
		{"button", `{"update_type":"message_callback","timestamp":1775025604499,"callback":{"timestamp":1775025604499,"callback_id":"cb.9","payload":"c:1:0","user":` + annaUser + `},"message":{"recipient":{"chat_id":501,"chat_type":"dialog","user_id":101},"timestamp":1,"body":{"mid":"mid.0","seq":0,"text":"?","attachments":null}}}`,
			max.Event{Kind: max.KindCallback, Type: "message_callback", Key: "message_callback:cb.9", Chat: anna, At: at,
				CallbackID: "cb.9", Payload: "c:1:0"}},
		{"button under a deleted message", `{"update_type":"message_callback","timestamp":1775025604499,"callback":{"timestamp":1,"callback_id":"cb.10","payload":"p","user":` + annaUser + `},"message":null}`,
			max.Event{Kind: max.KindCallback, Type: "message_callback", Key: "message_callback:cb.10",
				Chat: messenger.Chat{Address: maxChat(0), UserID: 101, FirstName: "Анна"}, At: at, CallbackID: "cb.10", Payload: "p"}},
		{"deep link", `{"update_type":"bot_started","timestamp":1775025604499,"chat_id":501,"user":` + annaUser + `,"payload":"inv_42","user_locale":"ru"}`,
			max.Event{Kind: max.KindStarted, Type: "bot_started", Key: "bot_started:501:101:1775025604499", Chat: anna, At: at, Payload: "inv_42"}},
		{"stopped", `{"update_type":"bot_stopped","timestamp":1775025604499,"chat_id":501,"user":` + annaUser + `}`,
			max.Event{Kind: max.KindStopped, Type: "bot_stopped", Key: "bot_stopped:501:101:1775025604499", Chat: anna, At: at}},
		{"dialog deleted", `{"update_type":"dialog_removed","timestamp":1775025604499,"chat_id":501,"user":` + annaUser + `}`,
			max.Event{Kind: max.KindStopped, Type: "dialog_removed", Key: "dialog_removed:501:101:1775025604499", Chat: anna, At: at}},
		{"left the chat", `{"update_type":"user_removed","timestamp":1775025604499,"chat_id":501,"user":` + annaUser + `,"is_channel":false}`,
			max.Event{Kind: max.KindStopped, Type: "user_removed", Key: "user_removed:501:101:1775025604499", Chat: anna, At: at}},
		{"a type MAX adds later", `{"update_type":"message_reaction","timestamp":1775025604499,"chat_id":501,"user":` + annaUser + `,"reaction":"👍"}`,
			max.Event{Kind: max.KindIgnored, Type: "message_reaction", Key: "message_reaction:501:101:1775025604499", Chat: anna, At: at}},
	} {
		got, err := max.Decode([]byte(tc.payload))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
		if k := max.Key([]byte(tc.payload)); k != tc.want.Key {
			t.Errorf("%s: Key %q, want %q", tc.name, k, tc.want.Key)
		}
	}
	for _, bad := range []string{`[]`, `null`, `{"timestamp":1}`, `not json`} {
		if _, err := max.Decode([]byte(bad)); err != max.ErrNotAnUpdate {
			t.Errorf("%s: %v, want ErrNotAnUpdate", bad, err)
		}
		if k := max.Key([]byte(bad)); len(k) != len("sha256:")+64 {
			t.Errorf("%s: key %q, want a hash of the bytes", bad, k)
		}
	}
}

// A request_contact button's contact is signed by MAX; Verified checks the signature with the bot's token, and a
// contact forwarded by hand, or signed for another bot, is not verified.
func TestASharedContactIsVerifiedWithTheBotsToken(t *testing.T) {
	fake := maxfake.New(maxfake.Options{})
	u := fake.AddUser(maxfake.User{FirstName: "Анна", Phone: "+79001234567"})
	if _, err := fake.Start(u.UserID, ""); err != nil {
		t.Fatal(err)
	}
	own, err := fake.ShareContact(u.UserID, "")
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := fake.ShareForeignContact(u.UserID, "+79007654321", 0)
	if err != nil {
		t.Fatal(err)
	}
	decode := func(u maxfake.Update) *max.Contact {
		raw, _ := json.Marshal(u)
		e, err := max.Decode(raw)
		if err != nil || e.Contact == nil {
			t.Fatalf("%s: %+v, %v", raw, e, err)
		}
		return e.Contact
	}
	c := decode(own)
	if c.Phone != "+79001234567" || !c.Own || c.Hash == "" {
		t.Errorf("own contact %+v: own %v, hash %q", c, c.Own, c.Hash)
	}
	c = decode(foreign)
	if c.Phone != "+79007654321" || c.Own {
		t.Errorf("foreign contact %+v", c)
	}
}
