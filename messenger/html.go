package messenger

import (
	"fmt"
	"strings"
)

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// Escape makes s safe inside Telegram HTML text or an attribute: the only entities Telegram's HTML parse mode
// requires are these four.
func Escape(s string) string { return htmlEscaper.Replace(s) }

// HTML formats a Telegram HTML message: the format is trusted markup, every argument is escaped. A client's
// company name "<b>ООО</b> & Co" arrives as text, never as formatting.
func HTML(format string, args ...any) string {
	escaped := make([]any, len(args))
	for i, a := range args {
		escaped[i] = Escape(fmt.Sprint(a))
	}
	return fmt.Sprintf(format, escaped...)
}
