package msg

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// pluralRe is a word that agrees with a count: {#1 символ|символа|символов} takes the form the first argument
// asks for. English has two forms (one|other), Russian three (one|few|many).
var pluralRe = regexp.MustCompile(`\{#(\d+) ([^{}]*)\}`)

// Sprintf fills format's verbs with args as fmt does, after choosing each {#n forms} by the plural rule of locale
// for the n-th argument (1-based), which must be an integer.
func Sprintf(locale, format string, args ...any) string {
	if strings.Contains(format, "{#") {
		format = pluralRe.ReplaceAllStringFunc(format, func(m string) string {
			sub := pluralRe.FindStringSubmatch(m)
			i, _ := strconv.Atoi(sub[1])
			forms := strings.Split(sub[2], "|")
			if i < 1 || i > len(args) {
				return forms[0]
			}
			n, ok := integer(args[i-1])
			if !ok {
				return forms[len(forms)-1]
			}
			return strings.ReplaceAll(forms[min(PluralForm(locale, n), len(forms)-1)], "%", "%%")
		})
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// PluralForm is which form a count takes: in English 0 for one and 1 for every other number; in Russian 0 for
// 1, 21, 101 (символ), 1 for 2-4, 22-24 (символа), 2 for 0, 5-20, 25-30, 11-14, 111 (символов).
func PluralForm(locale string, n int64) int {
	if n < 0 {
		n = -n
	}
	if locale != "ru" {
		if n == 1 {
			return 0
		}
		return 1
	}
	switch d, dd := n%10, n%100; {
	case d == 1 && dd != 11:
		return 0
	case d >= 2 && d <= 4 && (dd < 12 || dd > 14):
		return 1
	}
	return 2
}

func integer(a any) (int64, bool) {
	switch n := a.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case uint:
		return int64(n), true
	case float64:
		return int64(n), n == float64(int64(n))
	}
	return 0, false
}
