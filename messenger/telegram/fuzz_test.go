package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"math/big"
	"reflect"
	"strconv"
	"testing"

	"dozvon/internal/pg/pgtest"
	"dozvon/messenger"
	"dozvon/messenger/telegram/tgfake"
)

// FuzzUpdateDecodingAndStorage feeds arbitrary bytes to what receives an update: decoding never panics, and the
// inbox stores every payload and hands back what arrived (the same JSON value, or the same bytes when PostgreSQL
// could not keep it as sent). The seeds run with the package's tests; `go test -fuzz FuzzUpdate
// -fuzztime 30s ./messenger/telegram/` explores.
func FuzzUpdateDecodingAndStorage(f *testing.F) {
	for _, seed := range []string{
		`{"update_id": 1, "message": {"message_id": 1, "date": 1700000000, "chat": {"id": 5, "type": "private"}, "text": "Привет"}}`,
		`{"update_id": 2, "message": {"chat": {"id": 5, "type": "private", "first_name": "A\u0000"}, "text": "a\u0000b"}}`,
		`{"update_id": 3, "message": {"chat": {"id": 5, "type": "private"}, "text": "half \ud83d, low \ude00, pair \ud83d\ude00"}}`,
		"{\"update_id\": 4, \"message\": {\"text\": \"\xff\xfe not UTF-8\"}}",
		`{"update_id": 5, "message": {"chat": {"id": 5, "type": "private"}, "caption": "скан", "photo": [{"file_id": "a", "width": 90, "height": 90, "file_size": 1e3}, {"file_id": "b", "width": 1280, "height": 960}]}}`,
		`{"update_id": 6, "message": {"chat": {"id": 5, "type": "private"}, "animation": {"file_id": "x"}, "document": {"file_id": "x"}, "sticker": {"file_id": "s", "is_video": true}}}`,
		`{"update_id": 7, "message": {"chat": {"id": 5, "type": "private"}, "text": "hi", "external_reply": {"paid_media": {"star_count": 1, "paid_media": [{"type": "live_photo", "live_photo": {"file_id": "l"}}]}}}}`,
		`{"update_id": 8, "message": {"chat": "odd", "photo": {"file_id": 1}, "text": 5}, "callback_query": {"id": "1", "from": {"id": 5}, "message": {"chat": {"id": 5}, "date": 0}, "data": "c:1:0"}}`,
		`{"update_id": 9, "my_chat_member": {"chat": {"id": 5}, "new_chat_member": {"status": "kicked"}}, "n": 1e400000, "m": -0.0e-7}`,
		`{"update_id": 1.5}`, `[1, "a", null]`, `"\u0000"`, `{"update_id": 10, "message": null}`, `not json {`, ``,
	} {
		f.Add([]byte(seed))
	}
	ctx := context.Background()
	pool := pgtest.NewDB(f)
	inbox := messenger.NewInbox(pool)
	bot, err := RegisterBot(ctx, pool, tgfake.DefaultToken, "dozvon_bot")
	if err != nil {
		f.Fatal(err)
	}
	var next int64
	f.Fuzz(func(t *testing.T, payload []byte) {
		_, _ = decodeUpdate(payload) // must not panic, whatever payload is

		next++
		if _, err := inbox.Store(ctx, bot.ID, []string{strconv.FormatInt(next, 10)}, []json.RawMessage{payload}); err != nil {
			t.Fatalf("store %q: %v", payload, err)
		}
		var back []byte
		var key string
		_, err := inbox.ProcessNext(ctx, bot.ID, func(_ context.Context, u messenger.Update) error {
			back, key = bytes.Clone(u.Payload), u.Key
			return nil
		})
		if err != nil || key != strconv.FormatInt(next, 10) {
			t.Fatalf("read back update %d: got %s, %v", next, key, err)
		}
		if !json.Valid(payload) {
			if !bytes.Equal(back, payload) {
				t.Fatalf("a payload that is not JSON came back as %q, want it as sent: %q", back, payload)
			}
			return
		}
		if !sameJSON(back, payload) {
			t.Fatalf("stored %q, read back %q", payload, back)
		}
	})
}

// sameJSON reports whether a and b are the same JSON value, numbers compared by value (jsonb writes 1e2 as 100).
func sameJSON(a, b []byte) bool {
	va, ea := decodeNumbers(a)
	vb, eb := decodeNumbers(b)
	return ea == nil && eb == nil && equalJSON(va, vb)
}

func decodeNumbers(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

func equalJSON(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		fx, _, ex := big.ParseFloat(string(x), 10, 4096, big.ToNearestEven)
		fy, _, ey := big.ParseFloat(string(y), 10, 4096, big.ToNearestEven)
		return ex == nil && ey == nil && fx.Cmp(fy) == 0
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !equalJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
