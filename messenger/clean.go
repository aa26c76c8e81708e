package messenger

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// What a messenger relays is what its users typed, and JSON lets them type what PostgreSQL refuses to store: a
// \u0000 (text and jsonb have no NUL), a lone UTF-16 surrogate such as \ud83d (half an emoji, cut by a client),
// or bytes that are not UTF-8. Such a character is replaced with U+FFFD, the replacement character, so the rest
// of the message is kept and the reader sees where something was lost.

// CleanText makes s storable as PostgreSQL text: NUL and bytes that are not UTF-8 become U+FFFD.
func CleanText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// Faults cleanJSON reports.
const (
	faultNUL       = `\u0000`
	faultSurrogate = "a lone surrogate"
	faultUTF8      = "bytes that are not UTF-8"
)

// cleanJSON returns the JSON document b with every string (keys included) made storable as jsonb, and what it
// replaced; nil faults means b is returned as it is. b must be valid JSON (json.Valid): outside strings it is
// copied unchanged.
func cleanJSON(b []byte) ([]byte, []string) {
	var out []byte // nil until the first replacement
	var faults []string
	replace := func(from int, with, fault string) {
		if out == nil {
			out = append(make([]byte, 0, len(b)+8), b[:from]...)
		}
		out = append(out, with...)
		if !slices.Contains(faults, fault) {
			faults = append(faults, fault)
		}
	}
	keep := func(from, to int) {
		if out != nil {
			out = append(out, b[from:to]...)
		}
	}
	inString := false
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case !inString:
			inString = c == '"'
			keep(i, i+1)
			i++
		case c == '"':
			inString = false
			keep(i, i+1)
			i++
		case c == '\\' && i+1 < len(b) && b[i+1] == 'u':
			r, ok := hex4(b, i+2)
			switch {
			case !ok: // not valid JSON; leave it to the caller's check
				keep(i, i+2)
				i += 2
			case r == 0:
				replace(i, `\ufffd`, faultNUL)
				i += 6
			case r >= 0xD800 && r < 0xDC00:
				if lo, ok := hex4(b, i+8); ok && b[i+6] == '\\' && b[i+7] == 'u' && lo >= 0xDC00 && lo <= 0xDFFF {
					keep(i, i+12)
					i += 12
					break
				}
				replace(i, `\ufffd`, faultSurrogate)
				i += 6
			case r >= 0xDC00 && r <= 0xDFFF:
				replace(i, `\ufffd`, faultSurrogate)
				i += 6
			default:
				keep(i, i+6)
				i += 6
			}
		case c == '\\':
			n := min(2, len(b)-i)
			keep(i, i+n)
			i += n
		case c < utf8.RuneSelf:
			keep(i, i+1)
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				replace(i, "\uFFFD", faultUTF8)
			} else {
				keep(i, i+size)
			}
			i += size
		}
	}
	if out == nil {
		return b, nil
	}
	return out, faults
}

// hex4 reads the four hex digits of a \u escape at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
