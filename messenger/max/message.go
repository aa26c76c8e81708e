package max

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"dozvon/messenger"
)

// MAX's limits, from the specification (NewMessageBody.text, CallbackButton.payload, LinkButton.url, Button.text)
// and from its keyboard guide (dev.max.ru, "Клавиатура в сообщениях": up to 210 buttons in 30 rows, up to 7 a
// row, up to 3 a row of link, open_app, request_geo_location or request_contact buttons).
const (
	MaxTextLength     = 4000
	MaxPayloadLength  = 1024
	MaxURLLength      = 2048
	MaxButtonText     = 128
	MaxButtons        = 210
	MaxRows           = 30
	MaxRowButtons     = 7
	MaxRowWideButtons = 3
)

// NewMessageBody is what POST /messages sends. Text, Attachments and Link are required by the schema and
// nullable: they are always sent, null when empty.
type NewMessageBody struct {
	Text        string              `json:"text"`
	Format      string              `json:"format,omitempty"`
	Attachments []AttachmentRequest `json:"attachments"`
	Link        *NewMessageLink     `json:"link"`
	Notify      *bool               `json:"notify,omitempty"`
}

// NewMessageLink makes a message a reply to (or a forward of) another.
type NewMessageLink struct {
	Type string `json:"type"` // reply | forward
	Mid  string `json:"mid"`
}

// AttachmentRequest is an attachment of a new message; Dozvon sends only the inline keyboard.
type AttachmentRequest struct {
	Type    string          `json:"type"` // inline_keyboard
	Payload KeyboardPayload `json:"payload"`
}

// KeyboardPayload is an inline keyboard's rows of buttons.
type KeyboardPayload struct {
	Buttons [][]Button `json:"buttons"`
}

// Button is a button of an inline keyboard: a callback (Payload), a link (URL) or a request for the user's
// contact.
type Button struct {
	Type    string `json:"type"` // callback | link | request_contact
	Text    string `json:"text"`
	Payload string `json:"payload,omitempty"`
	URL     string `json:"url,omitempty"`
}

// Button types Dozvon sends.
const (
	ButtonCallback       = "callback"
	ButtonLink           = "link"
	ButtonRequestContact = "request_contact"
)

// Body converts a message Dozvon wrote (Telegram HTML, messenger.Markup) into MAX's, or says why MAX would refuse
// it or show it otherwise than written. A text with formatting goes as MAX's HTML; one without (an operator's
// reply, which is escaped: what the operator typed, "<b>" included, is what the client reads) goes as plain text,
// exactly as the client reads it. MAX's 4000 characters count the text as sent, markup and entities included:
// sent as HTML, an escaped "<" would be the four characters of "&lt;", and a reply that fits the limit as the
// client reads it (what Dozvon checks when it is queued) would be refused by MAX for its length.
func Body(m messenger.Message) (NewMessageBody, error) {
	html, plain, formatted, err := convertHTML(m.Text)
	if err != nil {
		return NewMessageBody{}, err
	}
	b := NewMessageBody{Text: plain}
	if formatted {
		b.Text, b.Format = html, "html"
	}
	if err := checkText(b.Text, formatted); err != nil {
		return NewMessageBody{}, err
	}
	if len(m.Buttons) == 0 {
		return b, nil
	}
	kb, err := keyboard(m.Buttons)
	if err != nil {
		return NewMessageBody{}, err
	}
	b.Attachments = []AttachmentRequest{{Type: "inline_keyboard", Payload: KeyboardPayload{Buttons: kb}}}
	return b, nil
}

func checkText(text string, html bool) error {
	n := utf8.RuneCountInString(text)
	visible := text
	if html {
		visible = visibleText(text)
	}
	switch {
	case strings.TrimSpace(visible) == "":
		return &messenger.PermanentError{Reason: "the text is empty"}
	case n > MaxTextLength:
		// MAX counts the text as sent, markup included (NewMessageBody.text's maxLength).
		return &messenger.PermanentError{Reason: fmt.Sprintf("the text is %d characters with its markup, MAX allows %d", n, MaxTextLength)}
	}
	return nil
}

var tagRe = regexp.MustCompile(`<[^>]*>`)

func visibleText(html string) string { return tagRe.ReplaceAllString(html, "") }

func keyboard(rows messenger.Markup) ([][]Button, error) {
	if len(rows) > MaxRows {
		return nil, &messenger.PermanentError{Reason: fmt.Sprintf("%d rows of buttons, MAX allows %d", len(rows), MaxRows)}
	}
	total := 0
	out := make([][]Button, 0, len(rows))
	for _, row := range rows {
		wide := 0
		line := make([]Button, 0, len(row))
		for _, b := range row {
			mb, err := button(b)
			if err != nil {
				return nil, err
			}
			if mb.Type != ButtonCallback {
				wide++
			}
			line = append(line, mb)
		}
		total += len(line)
		switch {
		case len(line) == 0:
			return nil, &messenger.PermanentError{Reason: "a row of buttons is empty"}
		case len(line) > MaxRowButtons:
			return nil, &messenger.PermanentError{Reason: fmt.Sprintf("a row has %d buttons, MAX allows %d", len(line), MaxRowButtons)}
		case wide > 0 && len(line) > MaxRowWideButtons:
			return nil, &messenger.PermanentError{Reason: fmt.Sprintf("a row with a link or a phone request has %d buttons, MAX allows %d", len(line), MaxRowWideButtons)}
		}
		out = append(out, line)
	}
	if total > MaxButtons {
		return nil, &messenger.PermanentError{Reason: fmt.Sprintf("%d buttons, MAX allows %d", total, MaxButtons)}
	}
	return out, nil
}

func button(b messenger.Button) (Button, error) {
	n := 0
	for _, set := range []bool{b.Data != "", b.URL != "", b.RequestContact} {
		if set {
			n++
		}
	}
	switch {
	case strings.TrimSpace(b.Text) == "":
		return Button{}, &messenger.PermanentError{Reason: "a button has no text"}
	case utf8.RuneCountInString(b.Text) > MaxButtonText:
		return Button{}, &messenger.PermanentError{Reason: fmt.Sprintf("button %q is longer than MAX's %d characters", b.Text, MaxButtonText)}
	case n == 0:
		return Button{}, &messenger.PermanentError{Reason: fmt.Sprintf("button %q has no action: it needs callback data, a URL or a request for the phone", b.Text)}
	case n > 1:
		return Button{}, &messenger.PermanentError{Reason: fmt.Sprintf("button %q has more than one action: callback data, a URL and a request for the phone exclude each other", b.Text)}
	case b.Data != "":
		if l := utf8.RuneCountInString(b.Data); l > MaxPayloadLength {
			return Button{}, &messenger.PermanentError{Reason: fmt.Sprintf("button %q carries %d characters of data, MAX allows %d", b.Text, l, MaxPayloadLength)}
		}
		return Button{Type: ButtonCallback, Text: b.Text, Payload: b.Data}, nil
	case b.URL != "":
		u, err := url.Parse(b.URL)
		if err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http" {
			return Button{}, &messenger.PermanentError{Reason: fmt.Sprintf("button %q links to %q, not an http(s) address", b.Text, b.URL)}
		}
		if l := utf8.RuneCountInString(b.URL); l > MaxURLLength {
			return Button{}, &messenger.PermanentError{Reason: fmt.Sprintf("button %q links to an address of %d characters, MAX allows %d", b.Text, l, MaxURLLength)}
		}
		return Button{Type: ButtonLink, Text: b.Text, URL: b.URL}, nil
	}
	return Button{Type: ButtonRequestContact, Text: b.Text}, nil
}

// convertHTML turns the Telegram HTML Dozvon writes into the HTML MAX's format "html" shows (info.description,
// "HTML support": i/em, b/strong, del/s, ins/u, a href, pre/code, mark, h1; every other tag is stripped).
// Telegram's tags map onto MAX's where MAX has them (<strike> becomes <s>); a block quote, a custom emoji and a
// date keep their text. A spoiler is refused: MAX would show openly what the author meant to hide. Entities come
// out as the four MAX and Telegram both read (&amp; &lt; &gt; &quot;), numeric references as their characters. A
// text Telegram would refuse is refused with Telegram's reason, so one text works on both messengers.
// It returns the text as the client reads it too (tags dropped, entities as their characters), and whether any
// formatting survives the conversion.
func convertHTML(s string) (html, plain string, formatted bool, err error) {
	if p := messenger.ParseHTML(s); p.Refused != nil {
		return "", "", false, &messenger.PermanentError{Reason: p.Refused.Error()}
	}
	var b, t strings.Builder
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 { // ParseHTML refuses this; kept safe anyway
				b.WriteString("&lt;")
				t.WriteByte('<')
				i++
				continue
			}
			tag, err := convertTag(s[i+1 : i+end])
			if err != nil {
				return "", "", false, err
			}
			b.WriteString(tag)
			formatted = formatted || tag != ""
			i += end + 1
		case '&':
			r, n := reference(s[i:])
			if n == 0 {
				b.WriteString("&amp;")
				t.WriteByte('&')
				i++
				continue
			}
			b.WriteString(escape(string(r)))
			t.WriteRune(r)
			i += n
		default:
			next := strings.IndexAny(s[i:], "<&")
			if next < 0 {
				next = len(s) - i
			}
			b.WriteString(escapeText(s[i : i+next]))
			t.WriteString(s[i : i+next])
			i += next
		}
	}
	return b.String(), t.String(), formatted, nil
}

// maxTags maps Telegram's tags to MAX's; "" drops the tag and keeps its text.
var maxTags = map[string]string{"b": "b", "strong": "strong", "i": "i", "em": "em", "u": "u", "ins": "ins",
	"s": "s", "strike": "s", "del": "del", "code": "code", "pre": "pre", "a": "a",
	"blockquote": "", "tg-emoji": "", "tg-time": ""}

var hrefRe = regexp.MustCompile(`(?is)\bhref\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))`)

func convertTag(inner string) (string, error) {
	closing := strings.HasPrefix(inner, "/")
	inner = strings.TrimPrefix(inner, "/")
	words := strings.FieldsFunc(inner, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' })
	if len(words) == 0 {
		return "", nil
	}
	name := strings.ToLower(words[0])
	if name == "tg-spoiler" || name == "span" {
		return "", &messenger.PermanentError{Reason: "MAX has no spoiler: it would show the hidden text openly"}
	}
	out, ok := maxTags[name]
	if !ok || out == "" {
		return "", nil
	}
	if closing {
		return "</" + out + ">", nil
	}
	if out == "a" {
		m := hrefRe.FindStringSubmatch(inner)
		if m == nil {
			return "<a>", nil
		}
		href := m[2] + m[3] + m[4]
		var hb strings.Builder
		for i := 0; i < len(href); {
			if r, n := reference(href[i:]); n > 0 {
				hb.WriteRune(r)
				i += n
				continue
			}
			hb.WriteByte(href[i])
			i++
		}
		return `<a href="` + escape(hb.String()) + `">`, nil
	}
	return "<" + out + ">", nil
}

var refRe = regexp.MustCompile(`^&(lt|gt|amp|quot|#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7});?`)

// reference reads an HTML character reference as Telegram does (the four names, or a number); n is 0 for none.
func reference(s string) (rune, int) {
	m := refRe.FindStringSubmatch(s)
	if m == nil {
		return 0, 0
	}
	switch m[1] {
	case "lt":
		return '<', len(m[0])
	case "gt":
		return '>', len(m[0])
	case "amp":
		return '&', len(m[0])
	case "quot":
		return '"', len(m[0])
	}
	num := m[1][1:]
	base := 10
	if num[0] == 'x' || num[0] == 'X' {
		num, base = num[1:], 16
	}
	n, err := strconv.ParseInt(num, base, 32)
	if err != nil || n <= 0 || n > utf8.MaxRune || !utf8.ValidRune(rune(n)) {
		return 0, 0
	}
	return rune(n), len(m[0])
}

var (
	escaper     = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	textEscaper = strings.NewReplacer(">", "&gt;")
)

func escape(s string) string     { return escaper.Replace(s) }
func escapeText(s string) string { return textEscaper.Replace(s) }
