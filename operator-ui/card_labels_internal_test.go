package operatorui

import (
	"strings"
	"testing"
)

// Every code the product stores that the client card shows has a label in both languages, so the card never
// falls back to the code itself.
func TestEveryStoredCodeHasACardLabel(t *testing.T) {
	for group, codes := range cardCodes {
		for _, code := range codes {
			key := "card." + group + "." + code
			for _, loc := range Locales {
				if got := T(loc, key); strings.HasPrefix(got, "[") || got == "" || (loc == "ru" && got == code) {
					t.Errorf("%s has no %s label (%q)", key, loc, got)
				}
			}
		}
	}
	if len(cardCatalog) == 0 || consoleStrings("ru") == "{}" || !strings.Contains(consoleStrings("ru"), `"card.lead_status.replied":"ответил"`) {
		t.Error("the console's script does not get the card's labels")
	}
}
