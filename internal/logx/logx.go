// Package logx builds the process logger. Every line passes through Mask on its way out, so a phone number or a
// token that slipped into a message, a URL or an error never reaches the log in clear.
package logx

import (
	"io"
	"os"
	"regexp"
	"time"

	"github.com/rs/zerolog"
)

var (
	// Bot tokens, also inside Bot API URLs (/bot123:ABC.../sendMessage).
	botTokenRe = regexp.MustCompile(`([0-9]{3,20}):[A-Za-z0-9_-]{30,64}`)
	// Phone numbers in the forms people and systems write them: +7 918 123-45-67, 8(918)1234567, 79181234567.
	phoneRe = regexp.MustCompile(`\+?\b[0-9](?:[ ()-]{0,2}[0-9]){9,14}\b`)
	// Secrets passed as parameters: ?token=..., password=..., secret_token=...
	secretParamRe = regexp.MustCompile(`(?i)\b(token|password|secret|secret_token|api_key)(["']?\s*[=:]\s*["']?)[^\s"'&,}]+`)
)

// Mask hides tokens, secrets and all but the last two digits of phone numbers.
func Mask(b []byte) []byte {
	b = botTokenRe.ReplaceAll(b, []byte("$1:***"))
	b = secretParamRe.ReplaceAll(b, []byte("$1$2***"))
	return phoneRe.ReplaceAllFunc(b, maskPhone)
}

func maskPhone(p []byte) []byte {
	digits := 0
	for _, c := range p {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	out := make([]byte, 0, len(p))
	seen := 0
	for _, c := range p {
		if c >= '0' && c <= '9' {
			seen++
			if seen <= digits-2 {
				c = '*'
			}
		}
		out = append(out, c)
	}
	return out
}

type maskingWriter struct{ w io.Writer }

func (m maskingWriter) Write(p []byte) (int, error) {
	if _, err := m.w.Write(Mask(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// MaskingWriter wraps w so that everything written is masked first.
func MaskingWriter(w io.Writer) io.Writer { return maskingWriter{w} }

// New returns the process logger: console or JSON, at the given level, writing masked lines to w (os.Stderr
// when nil).
func New(w io.Writer, level, format string) zerolog.Logger {
	if w == nil {
		w = os.Stderr
	}
	out := w
	if format == "console" {
		out = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		lvl = zerolog.InfoLevel
	}
	return zerolog.New(MaskingWriter(out)).Level(lvl).With().Timestamp().Logger()
}
