package messenger

import (
	"regexp"
	"testing"
)

// e164 is what NormalizePhone promises: a plus, a country code not starting with 0, 8 to 15 digits in all.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// Whatever a file or a person writes as a phone, NormalizePhone answers E.164 or ErrBadPhone, and its answer is
// already normal: normalising it again gives it back.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"8 (918) 123-45-67", "+7 918 1234567", "79181234567", "9181234567", " +375 29 123 4567", "+7(495)123-45-67",
		"", "+", "++79181234567", "+7 918 123", "4951234567", "+0123456789", "8.918.123.45.67", "+79181234567x",
		"８９１８１２３４５６７", "+7\u00a0918\u00a01234567", "-- ()", "+123456789012345678",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizePhone(s)
		if err != nil {
			if err != ErrBadPhone || got != "" {
				t.Fatalf("NormalizePhone(%q) = %q, %v; want \"\", ErrBadPhone", s, got, err)
			}
			return
		}
		if !e164.MatchString(got) {
			t.Fatalf("NormalizePhone(%q) = %q, not E.164", s, got)
		}
		if again, err := NormalizePhone(got); err != nil || again != got {
			t.Fatalf("NormalizePhone(%q) = %q, but normalising that gives %q, %v", s, got, again, err)
		}
	})
}
