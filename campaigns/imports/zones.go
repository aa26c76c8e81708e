package imports

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones are checked by name; the host may have no zoneinfo (a slim container)
	"unicode/utf8"

	"dozvon/internal/msg"
)

const defaultZone = "Europe/Moscow"

// regionZones gives the time zone of the Russian regions that are not on Moscow time, by the start of a word of
// the region's name as people write it ("Приморский край", "г. Владивосток", "Респ. Саха (Якутия)"). Quiet hours
// are the client's local night, so a Vladivostok client must not get Moscow's evening. The first stem that
// matches wins.
var regionZones = []struct{ stem, zone string }{
	{"калининград", "Europe/Kaliningrad"}, {"kaliningrad", "Europe/Kaliningrad"},
	{"самар", "Europe/Samara"}, {"samara", "Europe/Samara"}, {"удмурт", "Europe/Samara"}, {"ижевск", "Europe/Samara"},
	{"ульяновск", "Europe/Ulyanovsk"}, {"астрахан", "Europe/Astrakhan"}, {"саратов", "Europe/Saratov"},
	{"свердловск", "Asia/Yekaterinburg"}, {"екатеринбург", "Asia/Yekaterinburg"}, {"yekaterinburg", "Asia/Yekaterinburg"},
	{"челябинск", "Asia/Yekaterinburg"}, {"курган", "Asia/Yekaterinburg"}, {"тюмен", "Asia/Yekaterinburg"},
	{"перм", "Asia/Yekaterinburg"}, {"оренбург", "Asia/Yekaterinburg"}, {"башкир", "Asia/Yekaterinburg"},
	{"башкортостан", "Asia/Yekaterinburg"}, {"уфа", "Asia/Yekaterinburg"}, {"ханты", "Asia/Yekaterinburg"},
	{"югра", "Asia/Yekaterinburg"}, {"ямал", "Asia/Yekaterinburg"},
	{"омск", "Asia/Omsk"}, {"omsk", "Asia/Omsk"},
	{"новосибирск", "Asia/Novosibirsk"}, {"novosibirsk", "Asia/Novosibirsk"},
	{"томск", "Asia/Tomsk"}, {"алтай", "Asia/Barnaul"}, {"барнаул", "Asia/Barnaul"},
	{"кемеров", "Asia/Novokuznetsk"}, {"кузбасс", "Asia/Novokuznetsk"}, {"новокузнецк", "Asia/Novokuznetsk"},
	{"красноярск", "Asia/Krasnoyarsk"}, {"krasnoyarsk", "Asia/Krasnoyarsk"}, {"хакас", "Asia/Krasnoyarsk"},
	{"тыва", "Asia/Krasnoyarsk"}, {"тува", "Asia/Krasnoyarsk"},
	{"иркутск", "Asia/Irkutsk"}, {"irkutsk", "Asia/Irkutsk"}, {"бурят", "Asia/Irkutsk"}, {"улан удэ", "Asia/Irkutsk"},
	{"забайкаль", "Asia/Chita"}, {"чита", "Asia/Chita"},
	{"сахалин", "Asia/Sakhalin"}, // before "саха", which it starts with
	{"якут", "Asia/Yakutsk"}, {"саха", "Asia/Yakutsk"}, {"амурск", "Asia/Yakutsk"}, {"благовещенск", "Asia/Yakutsk"},
	{"приморск", "Asia/Vladivostok"}, {"primorsk", "Asia/Vladivostok"}, {"владивосток", "Asia/Vladivostok"},
	{"vladivostok", "Asia/Vladivostok"}, {"хабаровск", "Asia/Vladivostok"}, {"khabarovsk", "Asia/Vladivostok"},
	{"еврейск", "Asia/Vladivostok"}, {"биробиджан", "Asia/Vladivostok"},
	{"южно сахалинск", "Asia/Sakhalin"}, {"магадан", "Asia/Magadan"},
	{"камчат", "Asia/Kamchatka"}, {"петропавловск камчатск", "Asia/Kamchatka"}, {"чукот", "Asia/Anadyr"},
}

// regionZone is the region's time zone, Moscow's when the region is empty or on Moscow time.
func regionZone(region string) string {
	if z := zoneOfRegion(region); z != "" {
		return z
	}
	return defaultZone
}

// zoneOfRegion matches stems at the start of a word, so that "Томская" is not taken for "Омская".
func zoneOfRegion(region string) string {
	n := normalize(region)
	for start := 0; start < len(n); {
		for _, r := range regionZones {
			if strings.HasPrefix(n[start:], r.stem) {
				return r.zone
			}
		}
		next := strings.IndexByte(n[start:], ' ')
		if next < 0 {
			break
		}
		start += next + 1
	}
	return ""
}

// offsetZones names one zone per whole-hour offset Russia uses, for "МСК+7" or "UTC+10".
var offsetZones = map[int]string{
	2: "Europe/Kaliningrad", 3: "Europe/Moscow", 4: "Europe/Samara", 5: "Asia/Yekaterinburg", 6: "Asia/Omsk",
	7: "Asia/Krasnoyarsk", 8: "Asia/Irkutsk", 9: "Asia/Yakutsk", 10: "Asia/Vladivostok", 11: "Asia/Magadan",
	12: "Asia/Kamchatka",
}

// resolveZone turns what a file writes in a time zone column into an IANA name, or "": an IANA name itself,
// an offset from Moscow or UTC (МСК, МСК+4, MSK-1, UTC+5, GMT+3, +03:00), or a city or region.
func resolveZone(s string) string {
	if strings.Contains(s, "/") || s == "UTC" {
		if _, err := time.LoadLocation(s); err == nil && s != "Local" {
			return s
		}
		return ""
	}
	if hours, ok := parseOffset(s); ok {
		if z, ok := offsetZones[hours]; ok {
			return z
		}
		if hours == 0 {
			return "UTC"
		}
		if hours >= -12 && hours <= 14 {
			return fmt.Sprintf("Etc/GMT%+d", -hours) // POSIX names count the other way: Etc/GMT-5 is UTC+5
		}
		return ""
	}
	return zoneOfRegion(s)
}

// parseOffset reads МСК+4 (hours from Moscow) or UTC+7, GMT+3, +03:00 (hours from UTC) as hours from UTC.
func parseOffset(s string) (int, bool) {
	u := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	base, rest := 0, u
	for prefix, hours := range map[string]int{"МСК": 3, "MSK": 3, "UTC": 0, "GMT": 0} {
		if r, ok := strings.CutPrefix(u, prefix); ok {
			base, rest = hours, r
		}
	}
	if rest == "" {
		return base, rest != u
	}
	sign, size := 1, 1
	switch r, n := utf8.DecodeRuneInString(rest); r {
	case '+':
	case '-', '\u2212': // a minus sign, as word processors write it
		sign, size = -1, n
	default:
		return 0, false
	}
	num, minutes, _ := strings.Cut(rest[size:], ":")
	h, err := strconv.Atoi(num)
	if err != nil || len(num) > 2 || (minutes != "" && minutes != "00") {
		return 0, false
	}
	return base + sign*h, true
}

// zone resolves a time zone as written; an empty one is derived from the region by finishClient.
func (p *parser) zone(s string) (any, *msg.Error) {
	if s == "" {
		return "", nil
	}
	name, seen := p.zones[s]
	if !seen {
		name = resolveZone(s)
		p.zones[s] = name
	}
	if name == "" {
		return nil, msg.New("imports.not_zone")
	}
	return name, nil
}
