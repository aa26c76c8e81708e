package imports

import (
	"testing"
	"time"

	"dozvon/internal/msg"
)

func TestEncodingIsDetectedFromTheBytes(t *testing.T) {
	for name, c := range map[string]struct {
		head     string
		complete bool
		want     Encoding
		bom      int
	}{
		"UTF-8 with BOM":         {"\xEF\xBB\xBFИНН;Телефон\n", true, UTF8, 3},
		"UTF-8 without BOM":      {"ИНН;Телефон\n", true, UTF8, 0},
		"plain ASCII":            {"inn;phone\n", true, UTF8, 0},
		"Windows-1251":           {"\xC8\xCD\xCD;\xD2\xE5\xEB\xE5\xF4\xEE\xED\n", true, CP1251, 0}, // ИНН;Телефон
		"UTF-8 cut by the sniff": {"ИНН;Т\xD0", false, UTF8, 0},
		"UTF-8 cut at the end":   {"ИНН;Т\xD0", true, CP1251, 0},
		"UTF-16 (Unicode text)":  {"\xFF\xFEi\x00n\x00n\x00", true, UTF16LE, 0},
	} {
		if got, bom := sniffEncoding([]byte(c.head), c.complete); got != c.want || bom != c.bom {
			t.Errorf("%s: %s with a %d-byte BOM, want %s, %d", name, got, bom, c.want, c.bom)
		}
	}
}

func TestDelimiterIsTheOneTheHeaderUsesMost(t *testing.T) {
	for text, want := range map[string]string{
		"ИНН;Наименование;Телефон\n1,2;3;4\n": ";",
		"inn,name,phone\n":           ",",
		`"Город, регион";ИНН` + "\n": ";",
		"inn\tname\tphone\n":         "\t",
		"\n;;;\n\ninn;name\n":        ";",
		"inn\n":                      ",",
		"a,b;c;d,e\n":                ";", // a tie goes to ';'
	} {
		if got, skip := sniffDelimiter([]byte(text)); got != want || skip {
			t.Errorf("%q: %q (skip %v), want %q", text, got, skip, want)
		}
	}
	if got, skip := sniffDelimiter([]byte("sep=|\ninn;name\n")); got != "|" || !skip {
		t.Errorf(`"sep=|": %q (skip %v), want "|" and skip the line`, got, skip)
	}
	if got, _ := sniffDelimiter([]byte("\n;;\n")); got != "" {
		t.Errorf("blank lines: %q, want none", got)
	}
}

func TestINNCheckDigitsAndTheLeadingZeroExcelDrops(t *testing.T) {
	for in, want := range map[string]struct {
		value  any
		reason string
	}{
		"7707083893":     {"7707083893", ""},
		"7707 083 893":   {"7707083893", ""},
		"772212345653":   {"772212345653", ""},
		"105123458":      {"0105123458", ""}, // 0105123458 as Excel shows it
		"10512345607":    {"010512345607", ""},
		"770708389":      {nil, "is not 10 or 12 digits"}, // a cut INN whose zero-padding does not check out
		"7707083894":     {nil, "has a wrong check digit"},
		"772212345654":   {nil, "has a wrong check digit"},
		"7,70708E+09":    {nil, "is not 10 or 12 digits"},
		"":               {nil, ""},
		"77070838931234": {nil, "is not 10 or 12 digits"},
	} {
		v, reason := checkINN(in)
		if v != want.value || english(reason) != want.reason {
			t.Errorf("INN %q: %v %q, want %v %q", in, v, reason, want.value, want.reason)
		}
	}
}

func TestTimeZonesFromNamesOffsetsAndRegions(t *testing.T) {
	for in, want := range map[string]string{
		"Europe/Moscow":    "Europe/Moscow",
		"Asia/Vladivostok": "Asia/Vladivostok",
		"МСК":              "Europe/Moscow",
		"МСК+7":            "Asia/Vladivostok",
		"мск-1":            "Europe/Kaliningrad",
		"MSK+2":            "Asia/Yekaterinburg",
		"UTC+5":            "Asia/Yekaterinburg",
		"GMT+3":            "Europe/Moscow",
		"+12:00":           "Asia/Kamchatka",
		"UTC+1":            "Etc/GMT-1",
		"UTC":              "UTC",
		"Владивосток":      "Asia/Vladivostok",
		"Europe/Atlantis":  "",
		"завтра":           "",
		"МСК+4:30":         "",
		"Local":            "",
	} {
		if got := resolveZone(in); got != want {
			t.Errorf("zone %q = %q, want %q", in, got, want)
		}
	}
	for region, want := range map[string]string{
		"Томская область":            "Asia/Tomsk", // not Omsk: stems match at the start of a word
		"Омская обл.":                "Asia/Omsk",
		"Респ. Саха (Якутия)":        "Asia/Yakutsk",
		"Сахалинская область":        "Asia/Sakhalin",
		"Ханты-Мансийский АО — Югра": "Asia/Yekaterinburg",
		"Ненецкий автономный округ":  "Europe/Moscow",
		"г. Санкт-Петербург":         "Europe/Moscow",
		"Калининградская обл":        "Europe/Kaliningrad",
		"Камчатский край":            "Asia/Kamchatka",
		"":                           "Europe/Moscow",
	} {
		if got := regionZone(region); got != want {
			t.Errorf("region %q: %q, want %q", region, got, want)
		}
	}
}

func TestDatesInRussianExcelAndISOFormats(t *testing.T) {
	p := newParser(&applicationSpec, layout{}, nil, true)
	msk := time.FixedZone("MSK", 3*3600)
	for in, want := range map[string]time.Time{
		"02.03.2026":                time.Date(2026, 3, 2, 0, 0, 0, 0, msk),
		"2.3.2026 9:05":             time.Date(2026, 3, 2, 9, 5, 0, 0, msk),
		"02.03.2026 14:05:30":       time.Date(2026, 3, 2, 14, 5, 30, 0, msk),
		"2026-03-02":                time.Date(2026, 3, 2, 0, 0, 0, 0, msk),
		"2026-03-02 14:05":          time.Date(2026, 3, 2, 14, 5, 0, 0, msk),
		"2026-03-02T14:05:00Z":      time.Date(2026, 3, 2, 17, 5, 0, 0, msk),
		"2026-03-02T14:05:00+10:00": time.Date(2026, 3, 2, 7, 5, 0, 0, msk),
		"2026-03-02 14:05:00.5+03":  time.Date(2026, 3, 2, 14, 5, 0, 5e8, msk),
		"46083.5":                   time.Date(2026, 3, 2, 12, 0, 0, 0, msk), // an Excel date cell, read raw
	} {
		v, reason := p.date(in)
		if got, ok := v.(time.Time); !ok || !got.Equal(want) || reason != nil {
			t.Errorf("date %q: %v %q, want %s", in, v, reason, want)
		}
	}
	for in, want := range map[string]string{
		"31.02.2026": badDate,
		"02/03/2026": badDate,
		"вчера":      badDate,
		"01.01.1900": "is not between the years 1990 and 2100",
	} {
		if _, reason := p.date(in); english(reason) != want {
			t.Errorf("date %q: %q, want %q", in, reason, want)
		}
	}
}

func TestEveryHeaderAliasBelongsToOneField(t *testing.T) {
	for d, s := range specs {
		owner := map[string]string{}
		for _, f := range s.fields {
			for _, a := range append([]string{f.name}, f.aliases...) {
				if other, dup := owner[normalize(a)]; dup && other != f.name {
					t.Errorf("%s: header %q maps to both %s and %s", d, a, other, f.name)
				}
				owner[normalize(a)] = f.name
			}
		}
	}
}

const badDate = "is not a date (e.g. 02.01.2006, 02.01.2006 15:04 or 2006-01-02T15:04:05+03:00)"

// english is a reason as the API and the logs read it; "" for none.
func english(reason *msg.Error) string {
	if reason == nil {
		return ""
	}
	return msg.English(reason)
}
