package max

import (
	"errors"
	"net/url"
	"strings"
	"unicode/utf8"
)

// StartLink is the deep link that opens the bot's dialog and sends payload in the bot_started update:
// https://max.ru/<bot>?start=<payload> (info.description, "Deep linking"). MAX drops a payload longer than 512
// characters without a word, so a longer one is refused here.
func StartLink(bot, payload string) (string, error) {
	if bot == "" || strings.ContainsAny(bot, "/?#") {
		return "", ErrBadStartLink
	}
	if utf8.RuneCountInString(payload) > MaxStartPayloadLen {
		return "", ErrStartPayloadTooLong
	}
	link := "https://max.ru/" + url.PathEscape(bot)
	if payload != "" {
		link += "?start=" + url.QueryEscape(payload)
	}
	return link, nil
}

var (
	// ErrBadStartLink is text that is not a MAX deep link.
	ErrBadStartLink = errors.New("max: not a max.ru deep link")
	// ErrStartPayloadTooLong is a payload MAX would drop.
	ErrStartPayloadTooLong = errors.New("max: a deep link's payload is longer than 512 characters")
)

// ParseStartLink reads what StartLink made, with or without the scheme: the bot and the payload ("" for none).
func ParseStartLink(s string) (bot, payload string, err error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || strings.ToLower(u.Host) != "max.ru" {
		return "", "", ErrBadStartLink
	}
	bot = strings.Trim(u.Path, "/")
	if bot == "" || strings.Contains(bot, "/") {
		return "", "", ErrBadStartLink
	}
	payload = u.Query().Get("start")
	if utf8.RuneCountInString(payload) > MaxStartPayloadLen {
		return "", "", ErrStartPayloadTooLong
	}
	return bot, payload, nil
}
