package imports

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"dozvon/internal/msg"
)

// Format is a file's container.
type Format string

const (
	FormatCSV  Format = "csv"
	FormatXLSX Format = "xlsx"
)

// Encoding is a CSV file's character set.
type Encoding string

const (
	UTF8    Encoding = "utf-8"
	CP1251  Encoding = "windows-1251" // what Russian Excel writes for "CSV (разделители — точка с запятой)"
	UTF16LE Encoding = "utf-16le"     // Excel's "Unicode text"; recognised by its byte order mark
	UTF16BE Encoding = "utf-16be"
)

// ParseEncoding reads an encoding as a person writes it; "" and "auto" mean detect.
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return "", nil
	case "utf8", "utf-8":
		return UTF8, nil
	case "cp1251", "windows-1251", "win1251", "1251":
		return CP1251, nil
	case "utf16", "utf-16", "utf-16le", "utf16le":
		return UTF16LE, nil
	case "utf-16be", "utf16be":
		return UTF16BE, nil
	}
	return "", msg.New("imports.unknown_encoding_auto", s)
}

// ParseDelimiter reads a CSV delimiter as a person writes it: ";", ",", "tab" or "|"; "" and "auto" mean detect.
func ParseDelimiter(s string) (string, error) {
	switch strings.ToLower(strings.Trim(s, `'" `)) {
	case "", "auto":
		return "", nil
	case ";", "semicolon":
		return ";", nil
	case ",", "comma":
		return ",", nil
	case "tab", `\t`, "\t":
		return "\t", nil
	case "|", "pipe":
		return "|", nil
	}
	return "", msg.New("imports.unknown_delimiter", s)
}

// sniffLen is how much of a file detection looks at. A CSV file's encoding is decided on it: a Windows-1251 file
// shows itself in its Russian header, and a stray byte further on is reported as the row's problem.
const sniffLen = 64 << 10

var errLegacyExcel = msg.New("imports.legacy_excel")

func sniffFormat(head []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return FormatXLSX, nil
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0")):
		return "", errLegacyExcel
	}
	return FormatCSV, nil
}

// sniffEncoding decides a CSV file's encoding from its first bytes: a byte order mark says it outright; otherwise
// text that is valid UTF-8 is UTF-8 (which plain ASCII also is), and anything else is Windows-1251. complete
// says head is the whole file, so a multi-byte character cut at its end is a fault rather than the sniff's edge.
func sniffEncoding(head []byte, complete bool) (enc Encoding, bom int) {
	switch {
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		return UTF8, 3
	case bytes.HasPrefix(head, []byte("\xFF\xFE")):
		return UTF16LE, 0 // the decoder consumes the mark
	case bytes.HasPrefix(head, []byte("\xFE\xFF")):
		return UTF16BE, 0
	}
	if i := lastRuneStart(head); !complete && i < len(head) && !utf8.FullRune(head[i:]) {
		head = head[:i] // a character the sniff window cut in two
	}
	if utf8.Valid(head) {
		return UTF8, 0
	}
	return CP1251, 0
}

func lastRuneStart(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			return i
		}
	}
	return len(b)
}

// sniffDelimiter picks the delimiter that occurs most often outside quotes in the header — the first line with
// something besides delimiters in it. Excel's "sep=;" first line, when present, decides instead, and skip says
// to skip it. It returns "" when the text has no such line.
func sniffDelimiter(text []byte) (delim string, skip bool) {
	for first := true; len(text) > 0; first = false {
		line, rest, _ := bytes.Cut(text, []byte("\n"))
		line = bytes.TrimRight(line, "\r")
		if d, ok := bytes.CutPrefix(bytes.ToLower(line), []byte("sep=")); first && ok && len(d) == 1 {
			return string(d), true
		}
		if len(bytes.Trim(line, ";,\t| \"")) > 0 {
			return mostFrequent(line), false
		}
		text = rest
	}
	return "", false
}

// mostFrequent prefers ';' on a tie: it is what Russian Excel writes, and names contain commas more often.
func mostFrequent(line []byte) string {
	counts := map[byte]int{}
	quoted := false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ';' || c == ',' || c == '\t' || c == '|'):
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', ',', '\t', '|'} {
		if counts[c] > counts[best] || counts[c] == counts[best] && c == ';' && counts[c] > 0 {
			best = c
		}
	}
	return string(best)
}
