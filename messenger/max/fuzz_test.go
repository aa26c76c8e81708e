package max_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"dozvon/internal/apispec"
	"dozvon/messenger/max"
)

// FuzzDecode feeds arbitrary bytes to Decode: it never panics, an error means only that the payload is no update,
// and every payload has a key, the same each time. The seeds are the updates the specification shows (the JSON
// examples of its description with an update_type) and hand-made ones of every kind; `go test -fuzz FuzzDecode
// -fuzztime 30s ./messenger/max/` explores.
func FuzzDecode(f *testing.F) {
	if p, err := apispec.Find(".", apispec.MAXSpec); err == nil { // without the spec, the hand-made seeds
		spec, err := apispec.LoadOpenAPI(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, seed := range specExamples(f, spec) {
			f.Add([]byte(seed))
		}
	}
	for _, seed := range []string{
		message(`{"mid":"mid.1","seq":1,"text":"Здравствуйте","attachments":null}`),
		message(`{"mid":"mid.2","text":"a\u0000b \ud83d","attachments":[{"type":"image","payload":{"url":5}},{"type":"contact","payload":{"vcf_info":"TEL:+7","max_info":"odd"}},{"type":"location","latitude":"north"},7,null]}`),
		`{"update_type":"message_callback","timestamp":1,"callback":{"callback_id":"cb","payload":"p","user":{"user_id":1}},"message":null}`,
		`{"update_type":"bot_started","timestamp":1,"chat_id":1,"user":{"user_id":1,"first_name":"A"},"payload":"` + strings.Repeat("x", 600) + `"}`,
		`{"update_type":"bot_stopped","timestamp":-1,"chat_id":"1","user":null}`,
		`{"update_type":5}`, `{"update_type":"x","timestamp":1e400}`, "{\"update_type\":\"\xff\"}", `[]`, `null`, ``, `{`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		e, err := max.Decode(payload)
		if err != nil && err != max.ErrNotAnUpdate {
			t.Fatalf("Decode(%q): %v", payload, err)
		}
		k := max.Key(payload)
		if k == "" || k != e.Key || k != max.Key(payload) {
			t.Fatalf("Decode(%q): key %q, Key %q", payload, e.Key, k)
		}
	})
}

var jsonBlockRe = regexp.MustCompile("(?s)```json\\s*(\\{.*?\\})\\s*```")

// specExamples are the JSON examples in the specification's description that are updates.
func specExamples(tb testing.TB, spec *apispec.OpenAPI) []string {
	var out []string
	for _, m := range jsonBlockRe.FindAllStringSubmatch(spec.Info.Description, -1) {
		var head struct {
			UpdateType string `json:"update_type"`
		}
		if json.Unmarshal([]byte(m[1]), &head) == nil && head.UpdateType != "" {
			out = append(out, m[1])
		}
	}
	if len(out) == 0 {
		tb.Fatal("the specification shows no update")
	}
	return out
}

// The specification's example of bot_started, with its deep-link payload, reads as a start.
func TestTheSpecificationsExampleUpdateDecodes(t *testing.T) {
	for _, ex := range specExamples(t, apispec.MAXForTest(t)) {
		e, err := max.Decode([]byte(ex))
		if err != nil || e.Kind != max.KindStarted || e.Payload != "any data meaningful to bot" ||
			e.Chat.ChatID != 1234567890 || e.Chat.UserID != 1234567890 || e.Chat.Username != "borisd84" || e.Chat.FirstName != "Boris" ||
			e.Key != "bot_started:1234567890:1234567890:1573226679188" {
			t.Errorf("%s: %+v, %v", ex, e, err)
		}
	}
}
