package tgfake

import (
	"testing"
)

func TestParseHTML(t *testing.T) {
	cases := []struct {
		in, text, entities, err string
	}{
		{in: "plain", text: "plain", entities: "null"},
		{in: "<b>Hi</b> &lt;3 &amp; <a href=\"https://example.com/?a=1&amp;b=2\">link</a>",
			text:     "Hi <3 & link",
			entities: `[{"type":"bold","offset":0,"length":2},{"type":"text_link","offset":8,"length":4,"url":"https://example.com/?a=1\u0026b=2"}]`},
		{in: "<b><i>both</i></b>", text: "both",
			entities: `[{"type":"bold","offset":0,"length":4},{"type":"italic","offset":0,"length":4}]`},
		{in: "😀 <u>x</u>", text: "😀 x", entities: `[{"type":"underline","offset":3,"length":1}]`},
		{in: "<pre><code class=\"language-go\">x := 1</code></pre>", text: "x := 1",
			entities: `[{"type":"pre","offset":0,"length":6,"language":"go"}]`},
		{in: "<span class=\"tg-spoiler\">s</span><tg-spoiler>t</tg-spoiler>", text: "st",
			entities: `[{"type":"spoiler","offset":0,"length":1},{"type":"spoiler","offset":1,"length":1}]`},
		{in: "<blockquote expandable>q</blockquote>", text: "q", entities: `[{"type":"expandable_blockquote","offset":0,"length":1}]`},
		{in: "&#65;&#x42;&nbsp;", text: "AB&nbsp;", entities: "null"},
		{in: "<b>x", err: `Can't find end tag corresponding to start tag "b"`},
		{in: "x</b>", err: `Unexpected end tag at byte offset 1`},
		{in: "<b>x</i>", err: `Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{in: "<br>", err: `Unsupported start tag "br" at byte offset 0`},
		{in: "a <b", err: `Unclosed start tag at byte offset 2`},
		{in: "<span>x</span>", err: `Tag "span" must have class "tg-spoiler" at byte offset 0`},
	}
	for _, tc := range cases {
		text, entities, err := parseHTML(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("parseHTML(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || text != tc.text || mustJSON(t, entities) != tc.entities {
			t.Errorf("parseHTML(%q) = %q %s %v, want %q %s", tc.in, text, mustJSON(t, entities), err, tc.text, tc.entities)
		}
	}
}

func TestTrimTextShiftsEntities(t *testing.T) {
	text, entities, aerr := formatText("  <b> bold</b>  ", "HTML", "")
	if aerr != nil || text != "bold" || mustJSON(t, entities) != `[{"type":"bold","offset":0,"length":4}]` {
		t.Errorf("formatText = %q %s %v", text, mustJSON(t, entities), aerr)
	}
}

func TestCommandEntities(t *testing.T) {
	got := mustJSON(t, commandEntities("/start abc /help@fake_bot /path/to x/y"))
	want := `[{"type":"bot_command","offset":0,"length":6},{"type":"bot_command","offset":11,"length":14}]`
	if got != want {
		t.Errorf("commandEntities = %s, want %s", got, want)
	}
}
