package operatorui

import (
	"strconv"
	"strings"

	"dozvon/reports"
)

// Figures as each language writes them: Russian groups thousands with a narrow no-break space and writes a decimal
// comma (1 790; 18,0 %), English a comma and a point (1,790; 18.0%).

const narrowNBSP = "\u202f"

func formatInt(locale string, n int) string {
	digits := strconv.Itoa(n)
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	sep := ","
	if locale == "ru" {
		sep = narrowNBSP
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// formatDecimal writes v with one decimal.
func formatDecimal(locale string, v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if locale == "ru" {
		return strings.Replace(s, ".", ",", 1)
	}
	return s
}

func formatPercent(locale string, v float64) string {
	if locale == "ru" {
		return formatDecimal(locale, v) + narrowNBSP + "%"
	}
	return formatDecimal(locale, v) + "%"
}

// shareText is a share's percentage, or a dash when it is a share of nothing.
func shareText(locale string, s reports.Share) string {
	if pct, ok := s.Percent(); ok {
		return formatPercent(locale, pct)
	}
	return "—"
}
