package imports

import (
	"sort"
	"strings"
)

// legalForms maps the ways exports write a legal form — abbreviated, in full, in Latin look-alike letters — to
// the abbreviation campaigns filter on.
var legalForms = spellings(map[string][]string{
	"ООО": {"ooo", "общество с ограниченной ответственностью"},
	"ИП":  {"ip", "индивидуальный предприниматель"},
	"АО":  {"ao", "акционерное общество"},
	"ПАО": {"pao", "публичное акционерное общество"},
	"ЗАО": {"zao", "закрытое акционерное общество"},
	"ОАО": {"oao", "открытое акционерное общество"},
	"НКО": {"некоммерческая организация"},
	"КФХ": {"крестьянское фермерское хозяйство", "глава кфх"},
})

// legalFormPrefixes are legalForms' spellings, longest first, so "публичное акционерное общество" wins over
// "акционерное общество" at the start of a name.
var legalFormPrefixes = func() []string {
	out := make([]string, 0, len(legalForms))
	for sp := range legalForms {
		out = append(out, sp)
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) || len(out[i]) == len(out[j]) && out[i] < out[j] })
	return out
}()

// legalFormOf derives a legal form from how the company name starts (ООО «Ромашка», ИП Иванов И.И.), or else
// from a 12-digit INN, which only individuals — in business, sole proprietors — have.
func legalFormOf(name, inn string) string {
	// The longest spelling, "общество с ограниченной ответственностью", is 80 bytes; the rest of a name is not
	// worth normalising.
	if len(name) > 96 {
		name = name[:96]
	}
	n := normalize(name)
	for _, sp := range legalFormPrefixes {
		if n == sp || strings.HasPrefix(n, sp+" ") {
			return legalForms[sp]
		}
	}
	if len(inn) == 12 {
		return "ИП"
	}
	return ""
}
