package messenger

import (
	"strings"
	"testing"
)

func TestEscapeMakesValuesTextInTelegramHTML(t *testing.T) {
	got := "Здравствуйте, <b>" + Escape(`ООО "Рога & Копыта" <script>`) + "</b>! Ваш менеджер: " + Escape("Иван <i>")
	want := "Здравствуйте, <b>ООО &quot;Рога &amp; Копыта&quot; &lt;script&gt;</b>! Ваш менеджер: Иван &lt;i&gt;"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	p := ParseHTML(got)
	if n := p.Length(); n != len([]rune("Здравствуйте, ООО \"Рога & Копыта\" <script>! Ваш менеджер: Иван <i>")) || p.Err() != nil {
		t.Fatalf("visible length %d, problem %v", n, p.Err())
	}
}

// Every tag and form of the Bot API's "HTML style", as its documentation writes them, is shown as written.
func TestTelegramsOwnHTMLExamplesPass(t *testing.T) {
	for _, s := range []string{
		`<b>bold</b>, <strong>bold</strong>`,
		`<i>italic</i>, <em>italic</em>`,
		`<u>underline</u>, <ins>underline</ins>`,
		`<s>strikethrough</s>, <strike>strikethrough</strike>, <del>strikethrough</del>`,
		`<span class="tg-spoiler">spoiler</span>, <tg-spoiler>spoiler</tg-spoiler>`,
		`<b>bold <i>italic bold <s>italic bold strikethrough <span class="tg-spoiler">italic bold strikethrough spoiler</span></s> <u>underline italic bold</u></i> bold</b>`,
		`<a href="http://www.example.com/">inline URL</a>`,
		`<a href="tg://user?id=123456789">inline mention of a user</a>`,
		`<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`,
		`<tg-time unix="1647531900" format="wDT">22:45 tomorrow</tg-time>`,
		`<tg-time unix="1647531900" format="t">22:45 tomorrow</tg-time>`,
		`<tg-time unix="1647531900" format="r">22:45 tomorrow</tg-time>`,
		`<tg-time unix="1647531900">22:45 tomorrow</tg-time>`,
		`<code>inline fixed-width code</code>`,
		`<pre>pre-formatted fixed-width code block</pre>`,
		`<pre><code class="language-python">pre-formatted fixed-width code block written in the Python programming language</code></pre>`,
		"<blockquote>Block quotation started\nBlock quotation continued\nThe last line of the block quotation</blockquote>",
		"<blockquote expandable>Expandable block quotation started\nThe last line of the block quotation</blockquote>",
		`<a href='https://bank.example/?a=1&amp;b=2'>тарифы</a> &lt;&gt;&amp;&quot; &#8381; &#x20BD;`,
		`<B>ООО</B> <a href=bank.example>Банк</a>`,
		`<b><a href="https://bank.example">счёт</a></b> <a href="https://bank.example"><b>счёт</b></a>`,
		`<blockquote><a href="https://bank.example">счёт</a> <code>40702</code></blockquote>`,
	} {
		if err := ParseHTML(s).Err(); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
}

// What Telegram answers with 400 "can't parse entities", refused with what and where.
func TestHTMLTelegramRefusesIsRefusedWithItsPlace(t *testing.T) {
	for _, tc := range []struct{ html, want string }{
		{"Ставка 5 < 7", `"<" starts no tag: write &lt; to show the sign (line 1, character 10)`},
		{"Строка\nвторая <", `"<" starts no tag: write &lt; to show the sign (line 2, character 8)`},
		{"<>", `"<" starts no tag: write &lt; to show the sign (line 1, character 1)`},
		{"<3 вас", `"<" starts no tag: write &lt; to show the sign (line 1, character 1)`},
		{`<div class="x">Счёт</div>`, `Telegram does not support the tag <div> (line 1, character 1)`},
		{`<br/>`, `Telegram does not support the tag <br/> (line 1, character 1)`},
		{"<b>Счёт", `the tag <b> is not closed (line 1, character 1)`},
		{"Счёт</i>", `the tag </i> closes nothing that is open (line 1, character 5)`},
		{"<b><i>Счёт</b></i>", `the tag </b> does not close the open <i> (line 1, character 11)`},
		{"<b>Счёт</b", `the tag </b has no closing ">" (line 1, character 8)`},
		{"<b>Счёт</>", `the tag </> does not close the open <b> (line 1, character 8)`},
		{"<b", `the tag <b has no closing ">" (line 1, character 1)`},
		{`<a href="x>ссылка</a>`, `the tag <a> has a malformed attribute (line 1, character 4)`},
		{`<a href=https://x>ссылка</a>`, `the tag <a> has a malformed attribute (line 1, character 4)`},
		{`<b =1>x</b>`, `the tag <b> has a malformed attribute (line 1, character 4)`},
		{`<span>x</span>`, `the tag <span> needs class="tg-spoiler" (line 1, character 1)`},
		{`<tg-emoji>👍</tg-emoji>`, `the tag <tg-emoji> needs emoji-id="…" with the custom emoji's number (line 1, character 1)`},
		{`<tg-time format="t">завтра</tg-time>`, `the tag <tg-time> needs unix="…" with a Unix time (line 1, character 1)`},
		{`<tg-time unix="1647531900" format="Td">завтра</tg-time>`, `the tag <tg-time> has format "Td"; Telegram takes r, or w, d or D, t or T in this order (line 1, character 1)`},
	} {
		p := ParseHTML(tc.html)
		if p.Refused == nil || p.Refused.Error() != tc.want || !p.Refused.Refused {
			t.Errorf("%q: got %v, want %s", tc.html, p.Refused, tc.want)
		}
	}
}

// What Telegram sends, but not as its author meant: formatting dropped, markup shown as typed.
func TestHTMLTelegramWouldShowOtherwiseIsALoss(t *testing.T) {
	for _, tc := range []struct{ html, want string }{
		{"Цена&nbsp;5", `Telegram shows &nbsp; as typed: it knows only &lt; &gt; &amp; &quot; and numeric references (&#8381;) (line 1, character 5)`},
		{"&#0; &#xD800;", `Telegram shows &#0; as typed: it knows only &lt; &gt; &amp; &quot; and numeric references (&#8381;) (line 1, character 1)`},
		{`<b style="color:red">Счёт</b>`, `Telegram ignores the attribute style of the tag <b> (line 1, character 4)`},
		{`<a>Счёт</a>`, `the link <a> has no href="…" (line 1, character 1)`},
		{`<code><b>40702</b></code>`, `Telegram does not show the tag <b> inside <code> (line 1, character 7)`},
		{`<pre>x<code>y</code></pre>`, `Telegram does not show the tag <code> inside <pre> (line 1, character 7)`},
		{`<a href="https://a"><a href="https://b">x</a></a>`, `Telegram does not show the tag <a> inside <a> (line 1, character 21)`},
		{`<blockquote><b><blockquote>x</blockquote></b></blockquote>`, `Telegram does not show the tag <blockquote> inside <blockquote> (line 1, character 16)`},
		{`<a href="https://a"><code>x</code></a>`, `Telegram does not show the tag <code> inside <a> (line 1, character 21)`},
		{`<code class="language-go">x</code>`, `the language of <code> works only as <pre><code class="language-…"> (line 1, character 1)`},
		{`<tg-emoji emoji-id="5368324170671202286"></tg-emoji>`, `the tag <tg-emoji> needs an emoji inside, shown where custom emoji are not (line 1, character 1)`},
	} {
		p := ParseHTML(tc.html)
		if p.Refused != nil || p.Lossy == nil || p.Lossy.Error() != tc.want || p.Lossy.Refused {
			t.Errorf("%q: got refused %v, lossy %v; want %s", tc.html, p.Refused, p.Lossy, tc.want)
		}
	}
}

// Telegram counts the text as it parses: tags are nothing, an entity is one character, a bare '&' is one
// character too, an emoji is two, and white space at either end is trimmed.
func TestHTMLLengthCountsWhatTelegramCounts(t *testing.T) {
	for _, tc := range []struct {
		html string
		want int
	}{
		{"Рога & Копыта; ООО", 18},
		{"&amp;&lt;&#8381;", 3},
		{"&nbsp;", 6},
		{"&#09", 0}, {"&lt&gt", 2}, {"&#65&#x42;C", 3}, {"&#X41;", 6}, {"&#0000000065;", 13}, {"&ltb", 4},
		{"AT&T; R&D", 9},
		{"  <b> 👍 </b>\n", 2},
		{"<b> </b>\n<i>\t</i>", 0},
		{"", 0},
	} {
		if got := ParseHTML(tc.html).Length(); got != tc.want {
			t.Errorf("%q: length %d, want %d", tc.html, got, tc.want)
		}
	}
}

// A message Telegram would refuse is refused before sending, with what a manager can act on.
func TestMessageTelegramWouldRefuseIsNotSent(t *testing.T) {
	long := strings.Repeat("Рога & Копыта; ", 300) // 4500 characters with a bare '&' every 15, the last one a space
	for _, tc := range []struct{ text, want string }{
		{long, "messenger: refused: the text is 4499 characters, Telegram allows 4096"},
		{"<b> </b>\n<i> </i>", "messenger: refused: the text is empty"},
		{"Ставка 5 < 7", `messenger: refused: "<" starts no tag: write &lt; to show the sign (line 1, character 10)`},
	} {
		err := Message{Address: Address{Channel: Telegram, BotID: 1, ChatID: 42}, Text: tc.text}.Validate()
		if err == nil || err.Error() != tc.want {
			t.Errorf("%.40q: got %v, want %s", tc.text, err, tc.want)
		}
	}
	// A loss is the author's to fix in the template; what Telegram accepts is sent.
	if err := (Message{Address: Address{Channel: Telegram, BotID: 1, ChatID: 42}, Text: `<b style="x">Счёт</b> &nbsp;`}).Validate(); err != nil {
		t.Errorf("refused what Telegram accepts: %v", err)
	}
}
