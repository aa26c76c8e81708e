package imports

import (
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"dozvon/internal/msg"
)

// moscow is the bank's time, for dates written without a zone. Moscow has kept UTC+3 all year since 2014, so a
// fixed zone needs no time zone database.
var moscow = time.FixedZone("MSK", 3*60*60)

// dateLayouts are tried in order: Russian Excel's day-first dates, then ISO 8601 and PostgreSQL's output.
var dateLayouts = []struct {
	layout string
	zoned  bool
}{
	{"2.1.2006 15:04:05", false}, {"2.1.2006 15:04", false}, {"2.1.2006", false},
	{time.RFC3339, true}, {"2006-01-02 15:04:05Z07:00", true}, {"2006-01-02 15:04:05Z07", true},
	{"2006-01-02T15:04:05", false}, {"2006-01-02 15:04:05", false}, {"2006-01-02T15:04", false},
	{"2006-01-02 15:04", false}, {"2006-01-02", false},
}

// date reads a date; one written without a zone is in the import's location (Moscow unless told otherwise).
func (p *parser) date(s string) (any, *msg.Error) {
	if s == "" {
		return nil, nil
	}
	t, ok := p.parseDate(s)
	if !ok {
		return nil, msg.New("imports.not_date")
	}
	// Guards against a number read as a day count and against typos in the year.
	if t.Year() < 1990 || t.Year() > 2100 {
		return nil, msg.New("imports.year", 1990, 2100)
	}
	return t, nil
}

func (p *parser) parseDate(s string) (time.Time, bool) {
	for _, l := range dateLayouts {
		var t time.Time
		var err error
		if l.zoned {
			t, err = time.Parse(l.layout, s)
		} else {
			t, err = time.ParseInLocation(l.layout, s, p.loc)
		}
		if err == nil {
			return t, true
		}
	}
	if p.serialDates {
		if n, err := strconv.ParseFloat(s, 64); err == nil && n > 0 {
			if t, err := excelize.ExcelDateToTime(n, false); err == nil {
				return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, p.loc), true
			}
		}
	}
	return time.Time{}, false
}
