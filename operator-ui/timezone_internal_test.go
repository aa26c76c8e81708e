package operatorui

import (
	"testing"
	"time"
)

// One moment, as each reader sees it: in their own zone, with the zone named, so "10:00" is never a guess.
func TestTimesAreShownInTheReadersZoneWithTheZoneNamed(t *testing.T) {
	at := time.Date(2026, 3, 12, 7, 0, 0, 0, time.UTC)
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	for _, c := range []struct {
		locale, zone, want string
	}{
		{"ru", "Europe/Moscow", "12.03.2026 10:00 МСК"},
		{"en", "Europe/Moscow", "12.03.2026 10:00 MSK"},
		{"ru", "Asia/Vladivostok", "12.03.2026 17:00 UTC+10"},
		{"ru", "Europe/Kaliningrad", "12.03.2026 09:00 UTC+2"},
		{"en", "UTC", "12.03.2026 07:00 UTC+0"},
		{"en", "Asia/Kolkata", "12.03.2026 12:30 UTC+5:30"},
		{"en", "America/New_York", "12.03.2026 03:00 UTC−4"}, // daylight saving time, as it was that day
	} {
		if got := formatWhen(c.locale, load(c.zone), at); got != c.want {
			t.Errorf("%s in %s: %q, want %q", c.locale, c.zone, got, c.want)
		}
	}
	// A schedule's run is shown in the reader's zone, with the schedule's own hours beside when they differ.
	if got := slotText("ru", load("Europe/Moscow"), load("Asia/Vladivostok"), at); got != "чт 12.03.2026 10:00 МСК (17:00 UTC+10)" {
		t.Errorf("slot %q", got)
	}
	if got := slotText("en", load("Europe/Moscow"), load("Europe/Moscow"), at); got != "Thu 12.03.2026 10:00 MSK" {
		t.Errorf("slot in the reader's own zone %q", got)
	}
}
