package apispec

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// The OpenAPI reading follows what the MAX spec uses: $ref, allOf holding a base with its discriminator,
// discriminator mappings written either way, maps (additionalProperties), required but nullable fields, arrays in
// a query, and a path parameter.
func TestTheMAXSchemaIsReadAsItIsWritten(t *testing.T) {
	spec := MAXForTest(t)
	for _, tc := range []struct {
		name, method, path, query, body string
		want                            []string
	}{
		{"a photo by tokens, a contact, a keyboard", "POST", "/messages", "chat_id=1",
			`{"text":null,"link":{"type":"reply","mid":"mid.1"},"notify":false,"attachments":[
				{"type":"image","payload":{"photos":{"a":{"token":"t1"},"b":{"token":"t2"}}}},
				{"type":"contact","payload":{"name":"Анна","contact_id":null,"vcf_info":null,"vcf_phone":"+79001234567"}},
				{"type":"inline_keyboard","payload":{"buttons":[[{"type":"request_geo_location","text":"Где я","quick":true}]]}}]}`,
			nil},
		{"a map's value is checked", "POST", "/messages", "chat_id=1",
			`{"text":"x","link":null,"attachments":[{"type":"image","payload":{"photos":{"a":{"tokn":"t1"}}}}]}`,
			[]string{"sendMessage.attachments[0].payload.photos.a: tokn is not a field", "sendMessage.attachments[0].payload.photos.a: token is required"}},
		{"a link's type", "POST", "/messages", "chat_id=1", `{"text":"x","attachments":null,"link":{"type":"quote","mid":"m"}}`,
			[]string{"sendMessage.link.type: quote is not one of [forward reply]"}},
		{"types in the query", "GET", "/updates", "types=message_created,bot_started&marker=-5&limit=0", ``,
			[]string{"GET /updates?limit: 0 is out of range"}},
		{"a path parameter", "POST", "/chats/abc/actions", "", `{"action":"typing_on"}`,
			[]string{"POST /chats/{chatId}/actions {chatId}: abc is not a number"}},
	} {
		q, _ := url.ParseQuery(tc.query)
		var body []byte
		if tc.body != "" {
			body = []byte(tc.body)
		}
		var got []string
		for _, e := range spec.Check(tc.method, tc.path, q, true, body) {
			got = append(got, e.Error())
		}
		slices.Sort(tc.want)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	if errs := spec.CheckValue("BotStartedUpdate", decode(t, `{"update_type":"bot_started","timestamp":1,"chat_id":1,"user":{"user_id":1,"first_name":"A","username":null,"is_bot":false,"last_activity_time":0,"name":null}}`)); len(errs) > 0 {
		t.Errorf("a bot_started update: %v", errs)
	}
	if errs := spec.CheckValue("Update", decode(t, `{"update_type":"bot_started","timestamp":1}`)); len(errs) != 2 ||
		!strings.Contains(errs[0].Error()+errs[1].Error(), "chat_id is required") {
		t.Errorf("an update without its chat and user: %v", errs)
	}
}
