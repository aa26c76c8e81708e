package auth

import "dozvon/internal/msg"

// The messages this package raises for a person (internal/msg), in English; the operator UI's catalog has their
// Russian.
func init() {
	msg.Register(map[string]string{
		"auth.login_format":    "must be %d-%d lower-case letters, digits, '.', '_' or '-'",
		"auth.role":            "must be one of [%s]",
		"auth.locale":          "must be ru or en",
		"auth.at_most_chars":   "must be at most %d {#1 character|characters}",
		"auth.at_least_chars":  "must be at least %d {#1 character|characters}",
		"auth.at_most_bytes":   "must be at most %d {#1 byte|bytes}",
		"auth.chars_between":   "must be %d-%d characters",
		"auth.scopes_required": "choose what the token may do",
		"auth.unknown_scope":   "unknown scope %q",
		"auth.not_zone":        "is not a time zone (e.g. Europe/Moscow, Asia/Vladivostok)",
	})
}
