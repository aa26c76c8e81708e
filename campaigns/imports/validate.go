package imports

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"dozvon/internal/msg"
	"dozvon/messenger"
)

func maxLength(s string, n int) *msg.Error {
	// No more bytes than n is no more characters than n, without counting them: most values are short.
	if len(s) > n && utf8.RuneCountInString(s) > n {
		return msg.New("imports.too_long", n)
	}
	return nil
}

// checkINN accepts 10 digits (a company) or 12 (a sole proprietor) whose check digits are right. Excel turns an
// INN into a number and drops a leading zero (regions 01–09), so 9 or 11 digits get it back when the check
// digits then agree.
func checkINN(s string) (any, *msg.Error) {
	if (len(s) == 10 || len(s) == 12) && strings.Trim(s, "0123456789") == "" {
		if innCheckDigitsOK(s) {
			return s, nil
		}
		return nil, msg.New("imports.check_digit")
	}
	d := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if d == "" {
		return nil, nil
	}
	if strings.Trim(d, "0123456789") != "" {
		return nil, msg.New("imports.inn_digits")
	}
	switch len(d) {
	case 9, 11:
		if innCheckDigitsOK("0" + d) {
			return "0" + d, nil
		}
	case 10, 12:
		if innCheckDigitsOK(d) {
			return d, nil
		}
		return nil, msg.New("imports.check_digit")
	}
	return nil, msg.New("imports.inn_digits")
}

// innCheckDigitsOK applies the tax service's check-digit rule to a 10- or 12-digit INN.
func innCheckDigitsOK(d string) bool {
	digit := func(weights []int, n int) bool {
		sum := 0
		for i, w := range weights {
			sum += w * int(d[i]-'0')
		}
		return sum%11%10 == int(d[n]-'0')
	}
	if len(d) == 10 {
		return digit([]int{2, 4, 10, 3, 5, 9, 4, 6, 8}, 9)
	}
	return digit([]int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}, 10) && digit([]int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}, 11)
}

func checkPhone(s string) (any, *msg.Error) {
	if s == "" {
		return nil, nil
	}
	// Excel puts non-breaking spaces between digit groups.
	phone, err := messenger.NormalizePhone(strings.ReplaceAll(s, "\u00a0", " "))
	if err != nil {
		return nil, msg.New("imports.not_phone")
	}
	return phone, nil
}

func checkEmail(s string) *msg.Error {
	if s == "" {
		return nil
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.ContainsAny(s, " \t,;<>") || strings.Contains(domain, "@") ||
		!strings.Contains(strings.Trim(domain, "."), ".") || len(s) > 254 {
		return msg.New("imports.not_email")
	}
	return nil
}

// okvedCode accepts what the clients table's CHECK accepted until migration 00008: ^[0-9]{2}(\.[0-9]{1,2}){0,2}$.
func okvedCode(c string) bool {
	parts := strings.Split(c, ".")
	if len(parts) > 3 || len(parts[0]) != 2 {
		return false
	}
	for i, part := range parts {
		if part == "" || len(part) > 2 || strings.Trim(part, "0123456789") != "" || i == 0 && len(part) != 2 {
			return false
		}
	}
	return true
}

// checkOKVED reads one or several codes separated by ';', '|', spaces or ", ". A comma inside a code is the
// decimal comma Russian Excel writes (47,91).
func checkOKVED(s string) (any, *msg.Error) {
	parts := strings.FieldsFunc(strings.ReplaceAll(s, ", ", ";"), func(r rune) bool {
		return r == ';' || r == '|' || unicode.IsSpace(r)
	})
	codes := make([]string, 0, len(parts))
	for _, c := range parts {
		c = strings.ReplaceAll(c, ",", ".")
		if !okvedCode(c) {
			return nil, msg.New("imports.not_okved")
		}
		if !contains(codes, c) {
			codes = append(codes, c)
		}
	}
	return codes, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) enum(f *field, s string) (any, *msg.Error) {
	if s == "" {
		return "", nil
	}
	if v := p.words[f.index].get(s, func(s string) string { return f.values[normalize(s)] }); v != "" {
		return v, nil
	}
	if f.kind == kindCode {
		return s, maxLength(s, 100)
	}
	return nil, msg.New("imports.not_one_of", strings.Join(canonical(f.values), ", "))
}

// canonical lists the stored values of an enumeration, sorted.
func canonical(values map[string]string) []string {
	var out []string
	for _, v := range values {
		if !contains(out, v) {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}
