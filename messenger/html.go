package messenger

import "strings"

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// Escape makes s safe inside Telegram HTML text or an attribute: the only entities Telegram's HTML parse mode
// requires are these four.
func Escape(s string) string { return htmlEscaper.Replace(s) }
