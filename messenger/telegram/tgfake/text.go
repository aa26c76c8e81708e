package tgfake

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxTextLength is the Bot API's limit for a message text, counted after
// entity parsing. Telegram counts UTF-16 code units; the fake counts runes,
// which is the same for all but astral-plane characters (e.g. emoji).
const MaxTextLength = 4096

// formatText turns the text parameters of sendMessage/editMessageText into
// what Telegram stores: markup parsed into entities, surrounding whitespace
// trimmed, and length and emptiness checked.
func formatText(text, parseMode, entitiesJSON string) (string, []MessageEntity, *apiError) {
	var entities []MessageEntity
	switch {
	case entitiesJSON != "":
		if err := json.Unmarshal([]byte(entitiesJSON), &entities); err != nil {
			return "", nil, badRequest("can't parse entities JSON object")
		}
	case strings.EqualFold(parseMode, "HTML"):
		var err error
		text, entities, err = parseHTML(text)
		if err != nil {
			return "", nil, badRequest("can't parse entities: " + err.Error())
		}
	case parseMode == "" || strings.EqualFold(parseMode, "Markdown") || strings.EqualFold(parseMode, "MarkdownV2"):
		// Markdown is accepted but not parsed: the text is kept verbatim.
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
	text, entities = trimText(text, entities)
	if text == "" {
		return "", nil, badRequest("message text is empty")
	}
	if utf8.RuneCountInString(text) > MaxTextLength {
		return "", nil, badRequest("message is too long")
	}
	return text, entities, nil
}

// trimText strips leading and trailing whitespace like Telegram does, and
// shifts or clips entities to match.
func trimText(text string, entities []MessageEntity) (string, []MessageEntity) {
	trimmed := strings.TrimLeftFunc(text, unicode.IsSpace)
	lead := utf16Len(text[:len(text)-len(trimmed)])
	trimmed = strings.TrimRightFunc(trimmed, unicode.IsSpace)
	if lead == 0 && len(trimmed) == len(text) {
		return text, entities
	}
	total := utf16Len(trimmed)
	out := entities[:0:0]
	for _, e := range entities {
		start := max(e.Offset-lead, 0)
		end := min(e.Offset+e.Length-lead, total)
		if end > start {
			e.Offset, e.Length = start, end-start
			out = append(out, e)
		}
	}
	return trimmed, out
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// parseHTML implements the Bot API's parse_mode=HTML: supported tags become
// entities, the four named entities and numeric references are decoded, and
// unbalanced or unknown tags are errors worded like Telegram's.
func parseHTML(s string) (string, []MessageEntity, error) {
	if strings.IndexAny(s, "&<") < 0 {
		return s, nil, nil // no tags or entities: the text as it is, without copying it
	}
	type open struct {
		name   string
		offset int // UTF-16 offset in the output text
		order  int // index among start tags, to order equal spans
		entity MessageEntity
	}
	type closed struct {
		order  int
		entity MessageEntity
	}
	var (
		out    strings.Builder
		pos    int // UTF-16 length of out
		stack  []open
		done   []closed
		starts int
	)
	write := func(str string) {
		out.WriteString(str)
		pos += utf16Len(str)
	}
	for i := 0; i < len(s); {
		switch s[i] {
		case '&':
			decoded, n := decodeHTMLEntity(s[i:])
			write(decoded)
			i += n
		case '<':
			start := i
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", start)
			}
			tag := s[i+1 : i+end]
			i += end + 1
			if closing, ok := strings.CutPrefix(tag, "/"); ok {
				name := strings.ToLower(strings.TrimSpace(closing))
				if len(stack) == 0 {
					return "", nil, fmt.Errorf("Unexpected end tag at byte offset %d", start)
				}
				top := stack[len(stack)-1]
				if name != top.name {
					return "", nil, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", start, top.name, name)
				}
				stack = stack[:len(stack)-1]
				if top.entity.Type != "" && pos > top.offset {
					e := top.entity
					e.Offset, e.Length = top.offset, pos-top.offset
					done = append(done, closed{top.order, e})
				}
				continue
			}
			name, attrs := parseTag(tag)
			entity, err := tagEntity(name, attrs, start)
			if err != nil {
				return "", nil, err
			}
			// <pre><code class="language-x"> is one pre entity with a
			// language, not a pre and a code entity.
			if name == "code" && len(stack) > 0 && stack[len(stack)-1].name == "pre" && stack[len(stack)-1].offset == pos {
				if lang, ok := strings.CutPrefix(attrs["class"], "language-"); ok {
					stack[len(stack)-1].entity.Language = lang
				}
				entity = MessageEntity{}
			}
			stack = append(stack, open{name: name, offset: pos, order: starts, entity: entity})
			starts++
		default:
			next := strings.IndexAny(s[i:], "&<")
			if next < 0 {
				next = len(s) - i
			}
			write(s[i : i+next])
			i += next
		}
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].name)
	}
	// Telegram returns entities ordered by offset, outer before inner.
	slices.SortFunc(done, func(a, b closed) int {
		if a.entity.Offset != b.entity.Offset {
			return a.entity.Offset - b.entity.Offset
		}
		if a.entity.Length != b.entity.Length {
			return b.entity.Length - a.entity.Length
		}
		return a.order - b.order
	})
	var entities []MessageEntity
	for _, c := range done {
		entities = append(entities, c.entity)
	}
	return out.String(), entities, nil
}

var tagAttrRe = regexp.MustCompile(`([a-zA-Z0-9_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+)))?`)

// parseTag splits the inside of a start tag into its lower-cased name and
// attributes (values HTML-decoded).
func parseTag(tag string) (string, map[string]string) {
	nameEnd := strings.IndexFunc(tag, unicode.IsSpace)
	if nameEnd < 0 {
		nameEnd = len(tag)
	}
	name := strings.ToLower(tag[:nameEnd])
	attrs := map[string]string{}
	for _, m := range tagAttrRe.FindAllStringSubmatch(tag[nameEnd:], -1) {
		attrs[strings.ToLower(m[1])] = decodeHTML(m[2] + m[3] + m[4])
	}
	return name, attrs
}

// tagEntity maps a supported start tag to the entity it produces. An empty
// entity (for "pre" children and the like) produces nothing.
func tagEntity(name string, attrs map[string]string, offset int) (MessageEntity, error) {
	switch name {
	case "b", "strong":
		return MessageEntity{Type: "bold"}, nil
	case "i", "em":
		return MessageEntity{Type: "italic"}, nil
	case "u", "ins":
		return MessageEntity{Type: "underline"}, nil
	case "s", "strike", "del":
		return MessageEntity{Type: "strikethrough"}, nil
	case "tg-spoiler":
		return MessageEntity{Type: "spoiler"}, nil
	case "span":
		if attrs["class"] != "tg-spoiler" {
			return MessageEntity{}, fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", offset)
		}
		return MessageEntity{Type: "spoiler"}, nil
	case "a":
		if attrs["href"] == "" {
			return MessageEntity{}, nil
		}
		return MessageEntity{Type: "text_link", URL: attrs["href"]}, nil
	case "code":
		return MessageEntity{Type: "code"}, nil
	case "pre":
		return MessageEntity{Type: "pre"}, nil
	case "blockquote":
		if _, ok := attrs["expandable"]; ok {
			return MessageEntity{Type: "expandable_blockquote"}, nil
		}
		return MessageEntity{Type: "blockquote"}, nil
	case "tg-emoji":
		return MessageEntity{Type: "custom_emoji", CustomEmojiID: attrs["emoji-id"]}, nil
	case "tg-time":
		unix, err := strconv.ParseInt(attrs["unix"], 10, 64)
		if err != nil {
			return MessageEntity{}, fmt.Errorf("Invalid Unix time specified at byte offset %d", offset)
		}
		return MessageEntity{Type: "date_time", UnixTime: unix, DateTimeFormat: attrs["format"]}, nil
	}
	return MessageEntity{}, fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, offset)
}

// decodeHTMLEntity decodes the reference at the start of s ("&...;") and
// returns the text and bytes consumed. Only &lt; &gt; &amp; &quot; and
// numeric references are supported by Telegram; anything else stays as is.
func decodeHTMLEntity(s string) (string, int) {
	semi := strings.IndexByte(s, ';')
	if semi < 0 || semi > 10 {
		return "&", 1
	}
	ref := s[1:semi]
	switch ref {
	case "lt":
		return "<", semi + 1
	case "gt":
		return ">", semi + 1
	case "amp":
		return "&", semi + 1
	case "quot":
		return `"`, semi + 1
	}
	if num, ok := strings.CutPrefix(ref, "#"); ok {
		base := 10
		if hex, ok := strings.CutPrefix(strings.ToLower(num), "x"); ok {
			num, base = hex, 16
		}
		if n, err := strconv.ParseUint(num, base, 32); err == nil && utf8.ValidRune(rune(n)) {
			return string(rune(n)), semi + 1
		}
	}
	return "&", 1
}

func decodeHTML(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '&' {
			d, n := decodeHTMLEntity(s[i:])
			b.WriteString(d)
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// commandEntities finds bot commands ("/start", "/help@fake_bot") the way
// Telegram marks them in incoming messages.
var commandRe = regexp.MustCompile(`(?:^|\s)(/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?)`)

func commandEntities(text string) []MessageEntity {
	var out []MessageEntity
	for _, m := range commandRe.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[2], m[3]
		if end < len(text) {
			// "/path/to" or "/cmdé" are not commands.
			if r, _ := utf8.DecodeRuneInString(text[end:]); r == '/' || unicode.IsLetter(r) || unicode.IsDigit(r) {
				continue
			}
		}
		out = append(out, MessageEntity{
			Type:   "bot_command",
			Offset: utf16Len(text[:start]),
			Length: utf16Len(text[start:end]),
		})
	}
	return out
}
