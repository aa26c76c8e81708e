// Package logx builds the process logger. Every line is masked on its way out, field by field, so a phone number
// or a token that slipped into a message, a URL or an error never reaches the log in clear, and the line stays
// the valid JSON zerolog wrote: a number (a chat id, a count) is never touched, a string is masked by what its
// field holds.
package logx

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"dozvon/internal/jsonx"
)

func init() {
	// A duration reads with its unit ("took":"1.5ms", "retry_after":"3s"), not as a bare number of milliseconds
	// that a reader has to know zerolog's default for. Set once before main, so no logger races it.
	zerolog.DurationFieldFormat = zerolog.DurationFormatString
}

var (
	// Bot tokens, also inside Bot API URLs (/bot123:ABC.../sendMessage).
	botTokenRe = regexp.MustCompile(`([0-9]{3,20}):[A-Za-z0-9_-]{30,64}`)
	// Dozvon's API tokens (auth.TokenPrefix and base64url): recognisable by their prefix wherever they appear.
	apiTokenRe = regexp.MustCompile(`\bdzv_[A-Za-z0-9_-]+`)
	// Phone numbers in the forms people and systems write them: +7 918 123-45-67, 8(918)1234567, 79181234567.
	phoneRe = regexp.MustCompile(`\+?\b[0-9](?:[ ()-]{0,2}[0-9]){9,14}\b`)
	// Secrets passed as parameters: ?token=..., password=..., secret_token=...
	secretParamRe = regexp.MustCompile(`(?i)\b(token|password|secret|secret_token|api_key)(["']?\s*[=:]\s*["']?)[^\s"'&,}]+`)
	// A credential in an Authorization header quoted into an error.
	bearerRe = regexp.MustCompile(`(?i)\b(bearer\s+)[^\s"',}]+`)
)

// maskText hides tokens, secrets and all but the last two digits of phone numbers in free text.
func maskText(s string) string {
	s = maskTokens(s)
	return phoneRe.ReplaceAllStringFunc(s, maskPhone)
}

// maskTokens hides what is a secret wherever it stands, even inside an identifier's field.
func maskTokens(s string) string {
	s = botTokenRe.ReplaceAllString(s, "$1:***")
	s = apiTokenRe.ReplaceAllString(s, "dzv_***")
	s = bearerRe.ReplaceAllString(s, "$1***")
	return secretParamRe.ReplaceAllString(s, "$1$2***")
}

func maskPhone(p string) string {
	digits := 0
	for _, c := range p {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	out := []byte(p)
	seen := 0
	for i, c := range out {
		if c >= '0' && c <= '9' {
			seen++
			if seen <= digits-2 {
				out[i] = '*'
			}
		}
	}
	return string(out)
}

// maskField is the value of a string field as the log shows it: a secret's field by its name is hidden whole; an
// identifier's (id, chat_id, request_id) or zerolog's own (time, level) keeps its digits, since a 10-digit chat
// id is not a phone; anything else is free text (a message, an error, a URL, a phone) and is masked.
func maskField(key, value string) string {
	k := strings.ToLower(key)
	switch {
	case k == zerolog.TimestampFieldName || k == zerolog.LevelFieldName:
		return value
	case isSecretField(k):
		if value == "" {
			return value
		}
		return "***"
	case k == "id" || strings.HasSuffix(k, "_id") || strings.HasSuffix(k, "_ids"):
		return maskTokens(value)
	}
	return maskText(value)
}

func isSecretField(k string) bool {
	for _, s := range []string{"password", "secret", "token", "api_key", "authorization", "cookie"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// maskLine masks every string value of a JSON line by its field and leaves the rest byte for byte. A line that is
// not JSON (a RawJSON field gone wrong) is kept, masked as free text, inside a valid line that says so.
func maskLine(line []byte) []byte {
	trimmed := bytes.TrimRight(line, "\n")
	if !json.Valid(trimmed) {
		out := []byte(`{"level":"error","message":"log line is not JSON","line":`)
		out = jsonx.AppendString(out, maskText(string(trimmed)), false)
		return append(out, "}\n"...)
	}
	out := make([]byte, 0, len(line)+8)
	var keys []string // the key of each open object; "" for arrays, which take their parent's
	key := func() string {
		for i := len(keys) - 1; i >= 0; i-- {
			if keys[i] != "" {
				return keys[i]
			}
		}
		return ""
	}
	for i := 0; i < len(trimmed); {
		c := trimmed[i]
		switch c {
		case '{':
			keys = append(keys, "\x00") // an object without a key yet
		case '[':
			keys = append(keys, "")
		case '}', ']':
			keys = keys[:len(keys)-1]
		}
		if c != '"' {
			out = append(out, c)
			i++
			continue
		}
		end := stringEnd(trimmed, i)
		raw := trimmed[i:end]
		i = end
		var s string
		_ = json.Unmarshal(raw, &s) // valid: json.Valid passed
		if next := nextByte(trimmed, i); next == ':' {
			keys[len(keys)-1] = s
			out = append(out, raw...)
			continue
		}
		if masked := maskField(key(), s); masked != s {
			out = jsonx.AppendString(out, masked, false)
		} else {
			out = append(out, raw...)
		}
	}
	return append(out, '\n')
}

// stringEnd is the index just past the JSON string that starts at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

func nextByte(b []byte, i int) byte {
	for ; i < len(b); i++ {
		if c := b[i]; c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c
		}
	}
	return 0
}

type maskingWriter struct{ w io.Writer }

// Write takes one line: zerolog writes each event whole, in a single call.
func (m maskingWriter) Write(p []byte) (int, error) {
	if _, err := m.w.Write(maskLine(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// New returns the process logger: console or JSON, at the given level, writing masked lines to w (os.Stderr
// when nil). The console format is coloured only on a terminal: a log file or a pipe gets plain text.
func New(w io.Writer, level, format string) zerolog.Logger {
	if w == nil {
		w = os.Stderr
	}
	out := w
	if format == "console" {
		out = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly, NoColor: !isTerminal(w)}
	}
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		lvl = zerolog.InfoLevel
	}
	return zerolog.New(maskingWriter{out}).Level(lvl).With().Timestamp().Logger()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// RouteStandardLog sends what libraries print through Go's standard logger (net/http's server, the session
// manager's errors) into l at warn level, so that every line of the process's log has one format and is masked
// like the rest: a JSON log must not have a plain-text line in it.
func RouteStandardLog(l zerolog.Logger) {
	log.SetFlags(0)
	log.SetOutput(standardLog{l})
}

type standardLog struct{ l zerolog.Logger }

func (s standardLog) Write(p []byte) (int, error) {
	s.l.Warn().Msg(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
