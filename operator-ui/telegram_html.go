package operatorui

import (
	"html"
	"html/template"
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// telegramHTML turns a message in Telegram's HTML into markup a browser may show, for the campaign preview. The
// text comes from a manager's template and from client data, so nothing of it is trusted: only the formatting
// tags Telegram knows survive, without their attributes (a tag like <b onclick=...> passes Telegram's parser),
// links keep only an http(s) or tg: address, and every other character is escaped again after being unescaped.
func telegramHTML(s string) template.HTML {
	var b strings.Builder
	var open []string // the elements emitted for the open tags, to close each with its own
	last := 0
	for _, loc := range tgTagRe.FindAllStringIndex(s, -1) {
		b.WriteString(template.HTMLEscapeString(html.UnescapeString(s[last:loc[0]])))
		last = loc[1]
		tag := s[loc[0]:loc[1]]
		name, attrs, closing := tgTagParts(tag)
		el, ok := tgElements[name]
		switch {
		case !ok: // not Telegram's: shown as the text it is
			b.WriteString(template.HTMLEscapeString(html.UnescapeString(tag)))
			continue
		case closing:
			if len(open) > 0 {
				b.WriteString("</" + open[len(open)-1] + ">")
				open = open[:len(open)-1]
			}
			continue
		}
		switch {
		case name == "a" && safeLink(tgHref(attrs)) != "":
			b.WriteString(`<a href="` + template.HTMLEscapeString(tgHref(attrs)) + `" target="_blank" rel="noopener noreferrer">`)
		case name == "a":
			el = "span"
			b.WriteString("<span>")
		case name == "tg-spoiler" || name == "span": // Compile lets a span through only as a spoiler
			b.WriteString(`<span class="tg-spoiler">`)
		default:
			b.WriteString("<" + el + ">")
		}
		open = append(open, el)
	}
	b.WriteString(template.HTMLEscapeString(html.UnescapeString(s[last:])))
	for i := len(open) - 1; i >= 0; i-- { // Compile refuses unbalanced tags; this only keeps the page whole
		b.WriteString("</" + open[i] + ">")
	}
	return template.HTML(b.String())
}

var tgTagRe = regexp.MustCompile(`</?[A-Za-z][A-Za-z-]*(\s[^<>]*)?>`)

// tgElements maps Telegram's tags to the elements that show them.
var tgElements = map[string]string{
	"b": "strong", "strong": "strong", "i": "em", "em": "em", "u": "u", "ins": "u",
	"s": "s", "strike": "s", "del": "s", "code": "code", "pre": "pre", "blockquote": "blockquote",
	"a": "a", "tg-spoiler": "span", "span": "span",
	"tg-emoji": "span", "tg-time": "span", // their text: the emoji, the time as written
}

func tgTagParts(tag string) (name, attrs string, closing bool) {
	inner := strings.Trim(tag, "<>")
	closing = strings.HasPrefix(inner, "/")
	inner = strings.TrimPrefix(inner, "/")
	name = inner
	if i := strings.IndexFunc(inner, unicode.IsSpace); i >= 0 { // attributes may follow a newline, too
		name, attrs = inner[:i], inner[i:]
	}
	return strings.ToLower(name), attrs, closing
}

var tgHrefRe = regexp.MustCompile(`(?i)href\s*=\s*("([^"]*)"|'([^']*)')`)

func tgHref(attrs string) string {
	m := tgHrefRe.FindStringSubmatch(attrs)
	if m == nil {
		return ""
	}
	href := html.UnescapeString(m[2] + m[3])
	if _, err := url.Parse(href); err != nil {
		return ""
	}
	return href
}
