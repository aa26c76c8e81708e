package max_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"dozvon/messenger"
	"dozvon/messenger/max"
)

// Dozvon writes Telegram HTML; MAX shows its own subset. What both have passes, what MAX lacks is converted or
// refused, so a client never sees markup as text or a hidden text openly.
func TestTelegramHTMLBecomesTheHTMLMAXShows(t *testing.T) {
	for _, tc := range []struct{ in, want, refused string }{
		{in: "Просто текст", want: "Просто текст"},
		{in: "<b>Ж</b><strong>Ж</strong><i>К</i><em>К</em><u>П</u><ins>П</ins><s>З</s><del>З</del>",
			want: "<b>Ж</b><strong>Ж</strong><i>К</i><em>К</em><u>П</u><ins>П</ins><s>З</s><del>З</del>"},
		{in: "<strike>было</strike> <B>стало</B>", want: "<s>было</s> <b>стало</b>"},
		{in: `<a href="https://bank.example/?a=1&amp;b=2">карта</a>`, want: `<a href="https://bank.example/?a=1&amp;b=2">карта</a>`},
		{in: `<pre><code class="language-go">x := 1</code></pre>`, want: "<pre><code>x := 1</code></pre>"},
		{in: "<blockquote>цитата</blockquote> и <tg-emoji emoji-id=\"5368324170671202286\">👍</tg-emoji>",
			want: "цитата и 👍"},
		{in: "5 &lt; 7 &amp;&amp; 7 &gt; 5, &quot;кавычки&quot;, &#1071; &#x42f;", want: "5 &lt; 7 &amp;&amp; 7 &gt; 5, &quot;кавычки&quot;, Я Я"},
		{in: "a > b", want: "a &gt; b"},
		{in: "<tg-spoiler>тайна</tg-spoiler>", refused: "MAX has no spoiler: it would show the hidden text openly"},
		{in: `<span class="tg-spoiler">тайна</span>`, refused: "MAX has no spoiler: it would show the hidden text openly"},
		{in: "<b>не закрыт", refused: "the tag <b> is not closed (line 1, character 1)"},
		{in: "<marquee>x</marquee>", refused: "Telegram does not support the tag <marquee> (line 1, character 1)"},
	} {
		got, err := max.ConvertHTML(tc.in)
		var permanent *messenger.PermanentError
		switch {
		case tc.refused != "" && (!errors.As(err, &permanent) || permanent.Reason != tc.refused):
			t.Errorf("%q: got %q, %v; want refused: %s", tc.in, got, err, tc.refused)
		case tc.refused == "" && (err != nil || got != tc.want):
			t.Errorf("%q: got %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestABodyMAXWouldRefuseIsRefusedWithAReason(t *testing.T) {
	cb := func(n int) []messenger.Button {
		row := make([]messenger.Button, n)
		for i := range row {
			row[i] = messenger.Button{Text: "Да", Data: "d"}
		}
		return row
	}
	rows := func(n, per int) messenger.Markup {
		m := make(messenger.Markup, n)
		for i := range m {
			m[i] = cb(per)
		}
		return m
	}
	link := messenger.Button{Text: "Сайт", URL: "https://bank.example"}
	for _, tc := range []struct {
		name string
		m    messenger.Message
		want string // "" when valid
	}{
		{"4000 characters", messenger.Message{Address: maxChat(1), Text: strings.Repeat("я", 4000)}, ""},
		{"4001 characters", messenger.Message{Address: maxChat(1), Text: strings.Repeat("я", 4001)},
			"the text is 4001 characters with its markup, MAX allows 4000"},
		{"markup counts", messenger.Message{Address: maxChat(1), Text: "<b>" + strings.Repeat("я", 3994) + "</b>"},
			"the text is 4001 characters with its markup, MAX allows 4000"},
		{"empty", messenger.Message{Address: maxChat(1), Text: "<b> </b>"}, "the text is empty"},
		{"1024 characters of data", messenger.Message{Address: maxChat(1), Text: "x",
			Buttons: messenger.Markup{{{Text: "Да", Data: strings.Repeat("ж", 1024)}}}}, ""},
		{"1025 characters of data", messenger.Message{Address: maxChat(1), Text: "x",
			Buttons: messenger.Markup{{{Text: "Да", Data: strings.Repeat("ж", 1025)}}}},
			`button "Да" carries 1025 characters of data, MAX allows 1024`},
		{"30 rows of 7", messenger.Message{Address: maxChat(1), Text: "x", Buttons: rows(30, 7)}, ""},
		{"31 rows", messenger.Message{Address: maxChat(1), Text: "x", Buttons: rows(31, 1)}, "31 rows of buttons, MAX allows 30"},
		{"8 in a row", messenger.Message{Address: maxChat(1), Text: "x", Buttons: rows(1, 8)}, "a row has 8 buttons, MAX allows 7"},
		{"3 links in a row", messenger.Message{Address: maxChat(1), Text: "x", Buttons: messenger.Markup{{link, link, link}}}, ""},
		{"a link and 3 more", messenger.Message{Address: maxChat(1), Text: "x", Buttons: messenger.Markup{append(cb(3), link)}},
			"a row with a link or a phone request has 4 buttons, MAX allows 3"},
		{"two actions", messenger.Message{Address: maxChat(1), Text: "x", Buttons: messenger.Markup{{{Text: "Да", Data: "d", RequestContact: true}}}},
			`button "Да" has more than one action: callback data, a URL and a request for the phone exclude each other`},
		{"no action", messenger.Message{Address: maxChat(1), Text: "x", Buttons: messenger.Markup{{{Text: "Да"}}}},
			`button "Да" has no action: it needs callback data, a URL or a request for the phone`},
		{"not a web link", messenger.Message{Address: maxChat(1), Text: "x", Buttons: messenger.Markup{{{Text: "Да", URL: "tg://resolve"}}}},
			`button "Да" links to "tg://resolve", not an http(s) address`},
		{"button text of 129", messenger.Message{Address: maxChat(1), Text: "x", Buttons: messenger.Markup{{{Text: strings.Repeat("к", 129), Data: "d"}}}},
			`button "` + strings.Repeat("к", 129) + `" is longer than MAX's 128 characters`},
	} {
		_, err := max.Body(tc.m) // what Channel.Send sends, or its refusal
		var permanent *messenger.PermanentError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (!errors.As(err, &permanent) || permanent.Reason != tc.want):
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.want)
		}
	}
}

// An operator's reply is escaped (what they typed is what the client reads): with nothing left to format, MAX gets
// it as plain text, exactly as typed, with no format. As HTML, an escaped "<" would be the four characters of
// "&lt;" and count so against MAX's 4000 (the schema's maxLength is on the text as sent): a reply of 4000
// characters, which Dozvon accepts when it is queued, would have been refused by MAX for a "<b>" in it.
func TestAnOperatorsReplyWithMarkupReachesMAXAsTyped(t *testing.T) {
	typed := "Откроем счёт <b>завтра</b> & пришлём \"договор\", Анна."
	long := typed + strings.Repeat("я", max.MaxTextLength-utf8.RuneCountInString(typed))
	for _, tc := range []struct {
		name, text, want, format string
	}{
		{"typed markup", messenger.Escape(typed), typed, ""},
		{"4000 characters with typed markup", messenger.Escape(long), long, ""},
		{"entities", "5 &lt; 7, &#1071;", "5 < 7, Я", ""},
		{"a formatted campaign", "<b>Здравствуйте</b>, &lt;ООО&gt; «Ромашка»!", "<b>Здравствуйте</b>, &lt;ООО&gt; «Ромашка»!", "html"},
		{"a tag MAX drops keeps the text plain", "<blockquote>цитата</blockquote>", "цитата", ""},
	} {
		m := messenger.Message{Address: messenger.Address{Channel: messenger.MAX, BotID: 1, ChatID: 1}, Text: tc.text}
		if err := m.Validate(); err != nil {
			t.Fatalf("%s: refused when queued: %v", tc.name, err)
		}
		b, err := max.Body(m)
		if err != nil || b.Text != tc.want || b.Format != tc.format {
			t.Errorf("%s: MAX gets %.80q (%d characters) as %q (%v), want %.80q as %q", tc.name, b.Text,
				utf8.RuneCountInString(b.Text), b.Format, err, tc.want, tc.format)
		}
	}
	if _, err := max.Body(messenger.Message{Address: maxChat(1), Text: messenger.Escape("<b>  </b>")}); err != nil {
		t.Errorf("a reply of typed tags around spaces is text, not an empty message: %v", err)
	}
}
