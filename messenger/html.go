package messenger

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"dozvon/internal/msg"
)

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// Escape makes s safe inside Telegram HTML text or an attribute: the only entities Telegram's HTML parse mode
// requires are these four.
func Escape(s string) string { return htmlEscaper.Replace(s) }

// HTMLError is why and where Telegram's HTML parse mode would refuse a text, or show it otherwise than its author
// meant: Problem is a coded message (codes.go), the position is for the author. errors.As finds the whole, position
// included, as a *msg.Error too.
type HTMLError struct {
	Problem *msg.Error
	Line    int // 1-based
	Char    int // 1-based, in characters of the line, not bytes
	// Refused: Telegram answers 400 "can't parse entities". Otherwise it sends the message but drops some
	// formatting or shows markup as typed.
	Refused bool
}

func (e *HTMLError) Error() string { return msg.English(e.Msg()) }

// Msg is the problem with its position, for a person.
func (e *HTMLError) Msg() *msg.Error { return msg.New("messenger.html_at", e.Problem, e.Line, e.Char) }

// As lets errors.As find the message with its position.
func (e *HTMLError) As(target any) bool {
	if t, ok := target.(**msg.Error); ok {
		*t = e.Msg()
		return true
	}
	return false
}

// ParsedHTML is a text as Telegram's HTML parse mode reads it (the "HTML style" of the Bot API's formatting
// options, and its tdlib parser for what the prose leaves open).
type ParsedHTML struct {
	// Refused is the first problem that makes Telegram refuse the message; reading stopped there.
	Refused *HTMLError
	// Lossy is the first problem Telegram would let through but that changes what the client sees: a tag
	// inside one that cannot hold it, an attribute Telegram ignores, an entity it does not know.
	Lossy *HTMLError
	// length is the visible text in UTF-16 code units (as Telegram counts), without the surrounding white space
	// Telegram trims.
	length int
}

// Length is the number of characters Telegram counts against its limits: the text without tags, each entity
// one character, white space at either end trimmed, astral characters (emoji) two.
func (p ParsedHTML) Length() int { return p.length }

// Err is the problem to show an author: a refusal before a loss; nil when Telegram shows the text as written.
func (p ParsedHTML) Err() error {
	switch {
	case p.Refused != nil:
		return p.Refused
	case p.Lossy != nil:
		return p.Lossy
	}
	return nil
}

// Tags Telegram supports, by what they are. Formatting tags may hold and be held by anything but code and pre;
// blockquotes may not be nested; every other entity holds no entity but formatting.
var (
	formattingTags = map[string]bool{"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
		"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true}
	otherTags = map[string]bool{"a": true, "code": true, "pre": true, "blockquote": true, "tg-emoji": true,
		"tg-time": true}
	// The date-time entity's format (Bot API, "Date-time entity formatting").
	timeFormatRe = regexp.MustCompile(`^(r|w?[dD]?[tT]?)$`)
)

type openTag struct {
	name   string
	at     int // byte offset of its '<'
	length int // visible length when it opened
	href   bool
	lang   bool // <code class="language-…">
}

type htmlParser struct {
	s     string
	p     ParsedHTML
	stack []openTag
	// Visible length so far, and the white space at its start and end, which Telegram trims.
	total, lead, trail int
	seenText           bool
}

// ParseHTML reads s as Telegram reads a message text in HTML parse mode.
func ParseHTML(s string) ParsedHTML {
	h := &htmlParser{s: s}
	if strings.IndexAny(s, "<&") < 0 {
		h.text(s) // the common case of a plain message: nothing to parse
		return h.result()
	}
	for i := 0; i < len(s) && h.p.Refused == nil; {
		switch s[i] {
		case '&':
			i = h.entity(i)
		case '<':
			if i+1 < len(s) && s[i+1] == '/' {
				i = h.endTag(i)
			} else {
				i = h.startTag(i)
			}
		default:
			next := strings.IndexAny(s[i:], "<&")
			if next < 0 {
				next = len(s) - i
			}
			h.text(s[i : i+next])
			i += next
		}
	}
	if h.p.Refused == nil && len(h.stack) > 0 {
		top := h.stack[len(h.stack)-1]
		h.refuse(top.at, "messenger.html_not_closed", "<"+top.name+">")
	}
	return h.result()
}

func (h *htmlParser) result() ParsedHTML {
	if h.seenText {
		h.p.length = h.total - h.lead - h.trail
	}
	return h.p
}

func (h *htmlParser) text(s string) {
	for _, r := range s {
		h.char(r)
	}
}

func (h *htmlParser) char(r rune) {
	n := 1
	if r > 0xFFFF { // Telegram counts UTF-16 code units
		n = 2
	}
	h.total += n
	switch {
	case !unicode.IsSpace(r):
		h.seenText, h.trail = true, 0
	case h.seenText:
		h.trail += n
	default:
		h.lead += n
	}
}

func (h *htmlParser) problem(at int, problem *msg.Error) *HTMLError {
	before := h.s[:at]
	line := strings.Count(before, "\n") + 1
	char := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return &HTMLError{Problem: problem, Line: line, Char: char}
}

func (h *htmlParser) refuse(at int, code string, args ...any) {
	if h.p.Refused == nil {
		h.p.Refused = h.problem(at, msg.New(code, args...))
		h.p.Refused.Refused = true
	}
}

func (h *htmlParser) lose(at int, code string, args ...any) {
	if h.p.Lossy == nil {
		h.p.Lossy = h.problem(at, msg.New(code, args...))
	}
}

// entity reads the reference at s[i] == '&'. Telegram knows &lt; &gt; &amp; &quot; and numeric references;
// any other '&' is text, shown as typed.
func (h *htmlParser) entity(i int) int {
	r, n, known := decodeEntity(h.s[i:])
	if n == 0 {
		h.char('&')
		return i + 1
	}
	if !known {
		h.lose(i, "messenger.html_unknown_entity", h.s[i:i+n])
		h.text(h.s[i : i+n])
		return i + n
	}
	h.char(r)
	return i + n
}

// decodeEntity reads a character reference at the start of s, as Telegram's parser does: &lt; &gt; &amp;
// &quot; and numeric ones (&#8381; or &#x20BD;), the ';' optional, a number below U+10FFFF written in fewer than
// ten bytes with its "&#". It returns the character, the bytes it takes (0: not a reference, a bare '&') and
// whether Telegram decodes it; a "&name;" Telegram does not know is shown as typed (taken whole, not decoded).
func decodeEntity(s string) (rune, int, bool) {
	j := 1
	if strings.HasPrefix(s, "&#") {
		j, base := 2, 10
		if strings.HasPrefix(s, "&#x") { // a capital X is not read as hexadecimal
			j, base = 3, 16
		}
		v, start := uint64(0), j
		for j < len(s) && (isDigit(s[j]) || base == 16 && isHexLetter(s[j])) && j-start < 16 {
			d, _ := strconv.ParseUint(s[j:j+1], base, 8)
			v = v*uint64(base) + d
			j++
		}
		if v != 0 && v < 0x10FFFF && j < 10 {
			if j < len(s) && s[j] == ';' {
				j++
			}
			return rune(v), j, utf8.ValidRune(rune(v))
		}
	} else {
		for j < len(s) && isASCIILetter(s[j]) {
			j++
		}
		if r, ok := namedEntities[s[1:j]]; ok {
			if j < len(s) && s[j] == ';' {
				j++
			}
			return r, j, true
		}
	}
	// Not a reference to Telegram: a '&' of text. One that has a reference's form is taken whole, to be named.
	semi := 1
	for semi < len(s) && (isASCIILetter(s[semi]) || isDigit(s[semi]) || semi == 1 && s[semi] == '#') {
		semi++
	}
	if semi >= 2 && semi < len(s) && s[semi] == ';' && isReference(s[1:semi]) {
		return 0, semi + 1, false
	}
	return 0, 0, false
}

var namedEntities = map[string]rune{"lt": '<', "gt": '>', "amp": '&', "quot": '"'}

func isHexLetter(c byte) bool { return 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// isReference tells whether ref, between '&' and ';', has the form of a reference: a name of letters and digits,
// #digits or #x and hex digits.
func isReference(ref string) bool {
	digits, hex := ref, false
	switch {
	case strings.HasPrefix(ref, "#x") || strings.HasPrefix(ref, "#X"):
		digits, hex = ref[2:], true
	case strings.HasPrefix(ref, "#"):
		digits = ref[1:]
	case !isASCIILetter(ref[0]):
		return false
	default:
		for i := range len(ref) {
			if !isASCIILetter(ref[i]) && !isDigit(ref[i]) {
				return false
			}
		}
		return true
	}
	for i := range len(digits) {
		c := digits[i]
		if !isDigit(c) && !(hex && ('a' <= c && c <= 'f' || 'A' <= c && c <= 'F')) {
			return false
		}
	}
	return digits != ""
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool       { return '0' <= c && c <= '9' }
func isHTMLSpace(c byte) bool   { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// endTag reads "</name>" at s[i].
func (h *htmlParser) endTag(i int) int {
	s := h.s
	j := i + 2
	for j < len(s) && !isHTMLSpace(s[j]) && s[j] != '>' {
		j++
	}
	name := strings.ToLower(s[i+2 : j])
	for j < len(s) && isHTMLSpace(s[j]) {
		j++
	}
	if j >= len(s) || s[j] != '>' {
		h.refuse(i, "messenger.html_no_gt", "</"+name)
		return len(s)
	}
	if len(h.stack) == 0 {
		h.refuse(i, "messenger.html_closes_nothing", "</"+name+">")
		return len(s)
	}
	top := h.stack[len(h.stack)-1]
	if name != top.name { // Telegram takes </> for the last open tag; the HTML standard and the fake do not
		h.refuse(i, "messenger.html_wrong_close", "</"+name+">", "<"+top.name+">")
		return len(s)
	}
	h.stack = h.stack[:len(h.stack)-1]
	if top.name == "tg-emoji" && h.total == top.length {
		h.lose(top.at, "messenger.html_emoji_empty")
	}
	return j + 1
}

// startTag reads "<name attr="value" ...>" at s[i], the way Telegram's parser does: the name runs to white space
// or '>', a value is quoted or a token of letters, digits and ".-_:".
func (h *htmlParser) startTag(i int) int {
	s := h.s
	j := i + 1
	for j < len(s) && !isHTMLSpace(s[j]) && s[j] != '>' {
		j++
	}
	raw := s[i+1 : j]
	name := strings.ToLower(raw)
	switch {
	case raw == "" || !isASCIILetter(raw[0]):
		h.refuse(i, "messenger.html_bare_lt")
		return len(s)
	case j >= len(s):
		h.refuse(i, "messenger.html_no_gt", "<"+raw)
		return len(s)
	case !formattingTags[name] && !otherTags[name]:
		h.refuse(i, "messenger.html_unsupported", "<"+raw+">")
		return len(s)
	}
	tag := openTag{name: name, at: i, length: h.total}
	var class, emojiID, unix, format string
	var hasUnix bool
	for {
		for j < len(s) && isHTMLSpace(s[j]) {
			j++
		}
		if j >= len(s) {
			h.refuse(i, "messenger.html_no_gt", "<"+raw)
			return len(s)
		}
		if s[j] == '>' {
			j++
			break
		}
		attrAt := j
		for j < len(s) && !isHTMLSpace(s[j]) && s[j] != '=' && s[j] != '>' {
			j++
		}
		attr := strings.ToLower(s[attrAt:j])
		for j < len(s) && isHTMLSpace(s[j]) {
			j++
		}
		if attr == "" || j >= len(s) {
			h.refuse(attrAt, "messenger.html_bad_attribute", "<"+name+">")
			return len(s)
		}
		if s[j] != '=' {
			if name == "blockquote" && attr == "expandable" {
				continue
			}
			h.refuse(attrAt, "messenger.html_bad_attribute", "<"+name+">")
			return len(s)
		}
		value, next, ok := attrValue(s, j+1)
		if !ok {
			h.refuse(attrAt, "messenger.html_bad_attribute", "<"+name+">")
			return len(s)
		}
		j = next
		switch {
		case name == "a" && attr == "href":
			tag.href = value != ""
		case name == "code" && attr == "class":
			class = value
		case name == "span" && attr == "class":
			class = value
		case name == "tg-emoji" && attr == "emoji-id":
			emojiID = value
		case name == "tg-time" && attr == "unix":
			unix, hasUnix = value, true
		case name == "tg-time" && attr == "format":
			format = value
		case name == "blockquote" && attr == "expandable":
		default:
			h.lose(attrAt, "messenger.html_ignored_attribute", attr, "<"+name+">")
		}
	}
	switch name {
	case "span":
		if class != "tg-spoiler" {
			h.refuse(i, "messenger.html_span_class")
			return len(s)
		}
	case "tg-emoji":
		if id, err := strconv.ParseInt(emojiID, 10, 64); err != nil || id <= 0 {
			h.refuse(i, "messenger.html_emoji_id")
			return len(s)
		}
	case "tg-time":
		if _, err := strconv.ParseInt(unix, 10, 64); !hasUnix || err != nil {
			h.refuse(i, "messenger.html_time_unix")
			return len(s)
		}
		if !timeFormatRe.MatchString(format) {
			h.refuse(i, "messenger.html_time_format", format)
			return len(s)
		}
	case "a":
		if !tag.href {
			h.lose(i, "messenger.html_link_no_href")
		}
	case "code":
		if lang, ok := strings.CutPrefix(class, "language-"); ok && lang != "" {
			tag.lang = true
		} else if class != "" {
			h.lose(i, "messenger.html_code_class")
		}
	}
	if h.nest(tag) && tag.lang {
		h.lose(i, "messenger.html_code_language")
	}
	h.stack = append(h.stack, tag)
	return j
}

// attrValue reads an attribute's value at s[j], after the '=': the value (entities decoded), where the tag goes
// on, and whether it is well formed.
func attrValue(s string, j int) (string, int, bool) {
	for j < len(s) && isHTMLSpace(s[j]) {
		j++
	}
	if j >= len(s) {
		return "", j, false
	}
	if q := s[j]; q == '"' || q == '\'' {
		end := strings.IndexByte(s[j+1:], q)
		if end < 0 {
			return "", len(s), false
		}
		raw := s[j+1 : j+1+end]
		var b strings.Builder
		for k := 0; k < len(raw); {
			if r, n, ok := decodeEntity(raw[k:]); n > 0 && ok {
				b.WriteRune(r)
				k += n
				continue
			}
			b.WriteByte(raw[k])
			k++
		}
		return b.String(), j + 2 + end, true
	}
	start := j
	for j < len(s) && (isASCIILetter(s[j]) || isDigit(s[j]) || strings.IndexByte(".-_:", s[j]) >= 0) {
		j++
	}
	if j >= len(s) || !isHTMLSpace(s[j]) && s[j] != '>' {
		return "", j, false
	}
	return strings.ToLower(s[start:j]), j, true
}

// nest checks tag against the open tags as Telegram's rules for nested entities do; Telegram itself does not
// refuse a text that breaks them, it drops the entity that does not fit. It tells whether the tag stands on its
// own, rather than as the <code> that gives a <pre> block its language.
func (h *htmlParser) nest(tag openTag) bool {
	if len(h.stack) == 0 {
		return true
	}
	parent := h.stack[len(h.stack)-1]
	if tag.name == "code" && parent.name == "pre" && h.total == parent.length {
		return false // <pre><code class="language-…">: the language of the pre block
	}
	for _, open := range h.stack {
		fits := true
		switch {
		case open.name == "code" || open.name == "pre":
			fits = false
		case formattingTags[tag.name] || formattingTags[open.name]:
		case open.name == "blockquote":
			fits = tag.name != "blockquote"
		default: // a, tg-emoji, tg-time hold only formatting
			fits = false
		}
		if !fits {
			h.lose(tag.at, "messenger.html_not_inside", "<"+tag.name+">", "<"+open.name+">")
			break
		}
	}
	return true
}
