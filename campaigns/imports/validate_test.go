package imports

import (
	"fmt"
	"regexp"
	"testing"
)

// The CHECK constraints clients had until migration 00008, which dropped them because imports check the same
// in Go: whatever an import stores must still match them.
var (
	innCheck   = regexp.MustCompile(`^([0-9]{10}|[0-9]{12})$`)
	phoneCheck = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	okvedCheck = regexp.MustCompile(`^([0-9]{2}(\.[0-9]{1,2}){0,2})?$`)
)

func TestStoredINNsPhonesAndOKVEDCodesMatchTheDroppedConstraints(t *testing.T) {
	inns := []string{"7707083893", "772212345653", "105123458", "0105123458", "7707083894", "77070838930",
		" 7707 083 893 ", "７７０７０８３８９３", "77070838９3", "7707083893\n", "", "abc", "123456789012345"}
	for i := 0; i < 20000; i++ {
		inns = append(inns, fmt.Sprintf("%010d", i*499979), fmt.Sprintf("%012d", i*49999991), fmt.Sprintf("%09d", i*7919))
	}
	for _, s := range inns {
		if v, reason := checkINN(s); reason == nil && v != nil && !innCheck.MatchString(v.(string)) {
			t.Errorf("checkINN(%q) = %q, which the constraint rejects", s, v)
		}
	}
	phones := []string{"+79181234567", "8 (918) 123-45-67", "9181234567", "+0123456789", "+1234567", "+12345678",
		"+123456789012345", "+1234567890123456", "+7 918 123 45 67", "+7918123456", "(+7) 918", "8-918-123-45-67.",
		"+7\u00a0918\u00a0123-45-67", "+۷۹۱۸۱۲۳۴۵۶۷", "++79181234567", "7 918 123 45 67", "0", ""}
	for i := 0; i < 20000; i++ {
		phones = append(phones, fmt.Sprintf("+%d", i*7919), fmt.Sprintf("8%010d", i*104729), fmt.Sprintf("%d", i*15485863))
	}
	for _, s := range phones {
		if v, reason := checkPhone(s); reason == nil && v != nil && !phoneCheck.MatchString(v.(string)) {
			t.Errorf("checkPhone(%q) = %q, which the constraint rejects", s, v)
		}
	}
	okveds := []string{"47.91", "47", "47.9", "47.91.1", "47.91.12", "47.91.123", "4.91", "47..91", "47.", ".47",
		"47,91", "47.91; 56.10", "47.91 | 62.01", "٤٧.٩١", "47.91.1.2", "", " ", "a7.91"}
	for i := 0; i < 5000; i++ {
		okveds = append(okveds, fmt.Sprintf("%d.%d", i%137, i%1013), fmt.Sprintf("%d.%d.%d", i%100, i%10, i%1000))
	}
	for _, s := range okveds {
		v, reason := checkOKVED(s)
		if reason != nil {
			continue
		}
		for _, code := range v.([]string) {
			if !okvedCheck.MatchString(code) {
				t.Errorf("checkOKVED(%q) gives %q, which the constraint rejects", s, code)
			}
		}
	}
}
