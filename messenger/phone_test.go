package messenger

import "testing"

func TestNormalizePhoneAcceptsHowRussianSystemsWriteNumbers(t *testing.T) {
	for in, want := range map[string]string{
		"8 (918) 123-45-67": "+79181234567",
		"+7 918 1234567":    "+79181234567",
		"79181234567":       "+79181234567",
		"89181234567":       "+79181234567",
		"9181234567":        "+79181234567",
		"+7(495)123-45-67":  "+74951234567",
		" +375 29 123 4567": "+375291234567",
	} {
		got, err := NormalizePhone(in)
		if err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestNormalizePhoneRejectsWhatIsNotAPhone(t *testing.T) {
	for _, in := range []string{"", "123", "+7 918 123", "8 918 123 45 67 89", "4951234567", "phone", "+0123456789", "+7-918-123-45-67x"} {
		if got, err := NormalizePhone(in); err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want an error", in, got)
		}
	}
}
