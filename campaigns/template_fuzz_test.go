package campaigns_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"dozvon/campaigns"
	"dozvon/messenger"
)

// FuzzCompileTemplate: template validation never panics, and whatever it accepts is, by a check written apart
// from it, Telegram HTML with balanced tags Telegram knows, entities it knows and a text within its limits; and
// the message rendered for a client passes the check before sending. `go test` runs the seeds only; explore with
// go test -fuzz FuzzCompileTemplate ./campaigns/.
func FuzzCompileTemplate(f *testing.F) {
	for _, seed := range []string{
		"Здравствуйте, {{.ClientName}}! Счёт для <b>{{.Company}}</b> ждёт.",
		"Ставка {{.Company}} 5 < 7",
		"<b><i>Счёт</b></i>",
		"<b> </b>\n<i>\t</i>",
		"Рога & Копыта; &amp; &lt;&gt;&quot; &#8381; &#x20BD; &nbsp;",
		`<a href="https://bank.example/?inn={{.INN}}&amp;r=1">Счёт</a> <a href={{.INN}}>ИНН</a>`,
		`<span class="tg-spoiler">{{.INN}}</span> <tg-spoiler>x</tg-spoiler> <span>y</span>`,
		`<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> <tg-time unix="1647531900" format="wDT">17.03</tg-time>`,
		"<blockquote expandable><b>{{.Manager}}</b>\n<pre><code class=\"language-text\">40702</code></pre></blockquote>",
		"<code><b>1</b></code><a href=\"x\"><a href=\"y\">z</a></a>",
		`<b{{.INN}}>x</b> <a href="{{.Company}}">x</a> &{{.INN}}; <tg-time unix="{{.INN}}">x</tg-time>`,
		"{{/* <b> */}}текст", "</>", "<b>a</>", "<", "&", "&#;", "&#x;", "<B>x</b >", "&#09", "&lt", "&#65&#x42;&#X43;",
		strings.Repeat("Счёт & ", 600),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		c, err := campaigns.Compile(campaigns.Template{Body: body})
		if err != nil {
			return
		}
		literal := c.Render(nil)
		if problem := referenceCheck(literal); problem != "" {
			t.Fatalf("accepted %q: its text %q %s", body, literal, problem)
		}
		n := referenceLength(literal)
		if n > messenger.MaxTextLength || n == 0 && !strings.Contains(body, "{{") {
			t.Fatalf("accepted %q: %d characters", body, n)
		}
		rendered := c.Render(campaigns.SampleValues())
		if problem := referenceCheck(rendered); problem != "" {
			t.Fatalf("accepted %q: the message %q %s", body, rendered, problem)
		}
		if referenceLength(rendered) <= messenger.MaxTextLength {
			if err := (messenger.Message{Address: messenger.Address{Channel: messenger.Telegram, BotID: 1, ChatID: 1}, Text: rendered}).Validate(); err != nil {
				t.Fatalf("accepted %q, but its message %q is refused: %v", body, rendered, err)
			}
		}
	})
}

var (
	refTagRe = regexp.MustCompile(`^<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9._:-]+))?)*)\s*>`)
	refAnyRe = regexp.MustCompile(`^&(?:[A-Za-z]+|#([0-9]+)|#[xX]([0-9a-fA-F]+));`)
	refTags  = map[string]bool{"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true, "s": true,
		"strike": true, "del": true, "span": true, "tg-spoiler": true, "a": true, "code": true, "pre": true,
		"blockquote": true, "tg-emoji": true, "tg-time": true}
)

// referenceCheck is what the Bot API's "HTML style" says, read plainly: only its tags, opened and closed in order,
// every '<' a tag's, every entity one of its own. It returns what is wrong, or "".
func referenceCheck(s string) string {
	var open []string
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			m := refTagRe.FindStringSubmatch(s[i:])
			if m == nil {
				return "has a '<' that starts no tag"
			}
			name := strings.ToLower(m[2])
			switch {
			case !refTags[name]:
				return "has the tag " + m[0]
			case m[1] == "":
				open = append(open, name)
			case len(open) == 0 || open[len(open)-1] != name:
				return "closes " + m[0] + " out of order"
			default:
				open = open[:len(open)-1]
			}
			i += len(m[0]) - 1
		case '&':
			if m := refAnyRe.FindStringSubmatch(s[i:]); m != nil && !knownEntity(m) {
				return "has an entity Telegram does not know: " + m[0]
			}
		}
	}
	if len(open) > 0 {
		return "leaves <" + open[len(open)-1] + "> open"
	}
	return ""
}

func knownEntity(m []string) bool {
	switch {
	case m[1] != "":
		n, err := strconv.ParseInt(m[1], 10, 64)
		return err == nil && n > 0 && utf8.ValidRune(rune(n))
	case m[2] != "":
		n, err := strconv.ParseInt(m[2], 16, 64)
		return err == nil && n > 0 && utf8.ValidRune(rune(n))
	}
	return m[0] == "&lt;" || m[0] == "&gt;" || m[0] == "&amp;" || m[0] == "&quot;"
}

// referenceLength is the text without tags, references decoded as Telegram decodes them (its four names and
// numbers, the ';' optional, as tdlib reads them), trimmed, in UTF-16 code units.
func referenceLength(s string) int {
	text := refRefRe.ReplaceAllStringFunc(refStripRe.ReplaceAllString(s, ""), func(m string) string {
		sub := refRefRe.FindStringSubmatch(m)
		switch {
		case sub[1] != "":
			if r, ok := map[string]string{"lt": "<", "gt": ">", "amp": "&", "quot": `"`}[sub[1]]; ok {
				return r
			}
			return m
		case len("&#"+sub[2]+sub[3]+sub[5]) < 10:
			n, _ := strconv.ParseInt(sub[3], 16, 64)
			if sub[2] == "" {
				n, _ = strconv.ParseInt(sub[5], 10, 64)
			}
			if n > 0 && n < 0x10FFFF {
				return string(rune(n))
			}
		}
		return m
	})
	return len(utf16.Encode([]rune(strings.TrimFunc(text, unicode.IsSpace))))
}

var (
	refStripRe = regexp.MustCompile(`<[^>]*>`)
	refRefRe   = regexp.MustCompile(`&(?:([A-Za-z]+)|#(x)([0-9a-fA-F]+)|#()([0-9]+));?`)
)
