package jsonx

import (
	"bytes"
	"encoding/json"
	"testing"
)

var samples = []string{"", "plain", "ООО «Ромашка» <b>жирный</b> & co", "quote \" backslash \\ slash /",
	"\x00\x01\b\f\n\r\t\x1f\x7f", "line\u2028para\u2029", "bad \xff\xfe utf-8 \xd0", "emoji 👍 and 中文",
	"cut \xd0", "\xd0A \xc1\x80 \xdf\xbf", "bad \xe2\x82"}

func TestAppendStringEscapesAsEncodingJSON(t *testing.T) {
	for _, s := range samples {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s, true); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		if got := AppendString(nil, s, false); !bytes.Equal(got, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))) {
			t.Errorf("%q without HTML escaping: got %s, want %s", s, got, buf.Bytes())
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s, true); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
		var back string
		if err := json.Unmarshal(AppendString(nil, s, false), &back); err != nil {
			t.Fatalf("%q without HTML escaping is not JSON: %v", s, err)
		}
	})
}
