package messenger

import (
	"strings"

	"dozvon/internal/msg"
)

// ErrBadPhone is returned for input that is not a phone number Dozvon can write to.
var ErrBadPhone = msg.New("messenger.bad_phone")

// NormalizePhone turns the ways Russian systems and people write a phone into E.164 (+79181234567):
// "8 (918) 123-45-67", "+7 918 1234567", "79181234567", "9181234567". Other countries' numbers are accepted when
// written with + and a country code.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	plus := strings.HasPrefix(s, "+")
	digits := make([]byte, 0, 16)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || (c == '+' && i == 0):
		default:
			return "", ErrBadPhone
		}
	}
	d := string(digits)
	switch {
	case plus && len(d) >= 8 && len(d) <= 15 && d[0] != '0':
		if d[0] == '7' && len(d) != 11 {
			return "", ErrBadPhone
		}
		return "+" + d, nil
	case !plus && len(d) == 11 && (d[0] == '8' || d[0] == '7'):
		return "+7" + d[1:], nil
	case !plus && len(d) == 10 && d[0] == '9': // a Russian mobile without the trunk prefix
		return "+7" + d, nil
	}
	return "", ErrBadPhone
}
