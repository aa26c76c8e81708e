package tgfake

import (
	"fmt"
	"testing"
)

func TestParseJSONParams(t *testing.T) {
	cases := []struct {
		in   string
		want string // fmt of the resulting map, or "error"
	}{
		{`{}`, `map[]`},
		{` null `, `map[]`},
		{`{"chat_id": 42, "text": "a\"b\u00e9", "ok": true, "x": null}`, `map[chat_id:42 ok:true text:a"bé]`},
		{`{"reply_markup": {"inline_keyboard": [[{"text": "}]\"", "callback_data": "{"}]]}}`,
			`map[reply_markup:{"inline_keyboard": [[{"text": "}]\"", "callback_data": "{"}]]}]`},
		{`{"te\u0078t": "escaped key", "n": -1.5e3}`, `map[n:-1.5e3 text:escaped key]`},
		{`{"a": 1,}`, `error`},
		{`{"a" 1}`, `error`},
		{`{"a": {"b": 1}`, `error`},
		{`{"a": "unterminated}`, `error`},
		{`{"a": 1} trailing`, `error`},
		{`[1, 2]`, `error`},
	}
	for _, tc := range cases {
		p := params{}
		err := parseJSONParams([]byte(tc.in), p)
		got := fmt.Sprint(map[string]string(p))
		if err != nil {
			got = "error"
		}
		if got != tc.want {
			t.Errorf("parseJSONParams(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
