package imports

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"dozvon/internal/msg"
)

// Mapping says which field each of a file's columns goes to, by the column's header as the file has it (made
// unique: a second "Телефон" is "Телефон (2)"). A column mapped to Skip, or not in the mapping, is not loaded.
type Mapping map[string]string

const (
	Skip  = ""      // the column is not loaded
	Extra = "extra" // kept under the column's header in clients.attributes or application_events.payload
)

// Suggest maps each header to the field it names, matching known Russian and English header names regardless of
// case, punctuation and ё. A field goes to its first matching column only. Other columns go to Extra for
// datasets that keep extra data, and are skipped otherwise.
func Suggest(d Dataset, headers []string) Mapping {
	s := specs[d]
	if s == nil {
		return Mapping{}
	}
	m := Mapping{}
	taken := map[string]bool{}
	for _, h := range headers {
		name := s.aliases()[normalize(h)]
		switch {
		case name != "" && !taken[name]:
			m[h] = name
			taken[name] = true
		case s.extra != "":
			m[h] = Extra
		default:
			m[h] = Skip
		}
	}
	return m
}

// aliases maps every normalised header spelling of the spec's fields to the field's name.
func (s *spec) aliases() map[string]string { return aliasIndex[s.dataset] }

var aliasIndex = map[Dataset]map[string]string{}

func init() {
	for d, s := range specs {
		idx := map[string]string{}
		for i := range s.fields {
			s.fields[i].index = i
		}
		for _, f := range s.fields {
			idx[normalize(f.name)] = f.name
			for _, a := range f.aliases {
				idx[normalize(a)] = f.name
			}
		}
		aliasIndex[d] = idx
	}
}

// normalize makes header names and enumerated values comparable: lower case, ё as е, punctuation and runs of
// spaces as one space ("Доп. ОКВЭД:" and "доп оквэд" are the same, as are "in_progress" and "In progress").
func normalize(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == 'ё':
			r = 'е'
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		default:
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// uniqueHeaders names empty headers by their position (#3) and numbers repeated ones ("Телефон (2)"), so that a
// Mapping can name every column.
func uniqueHeaders(cells []string) []string {
	out := make([]string, len(cells))
	seen := map[string]int{}
	for i, c := range cells {
		h := strings.ToValidUTF8(strings.TrimSpace(c), "\uFFFD") // a name to show and map, whatever the bytes
		if h == "" {
			h = fmt.Sprintf("#%d", i+1)
		}
		seen[h]++
		if n := seen[h]; n > 1 {
			h = fmt.Sprintf("%s (%d)", h, n)
		}
		out[i] = h
	}
	return out
}

// columnMap is a Mapping resolved against a file's headers.
type columnMap struct {
	fieldOf []int // by column: the field's index, or skipColumn or extraColumn
	layout  layout
}

const (
	skipColumn  = -1
	extraColumn = -2
)

// layout is what a batch of rows carries, by field index.
type layout struct {
	mapped  []bool
	columns []string // the column a field comes from, for problems
	extra   bool     // some column goes to the extra jsonb
}

// resolve checks m against the headers. It fails on a column or field that does not exist and on two columns for
// one field; missing lists the required fields no column maps to.
func (s *spec) resolve(m Mapping, headers []string) (cm columnMap, missing []string, err error) {
	has := map[string]bool{}
	for _, h := range headers {
		has[h] = true
	}
	for _, col := range sortedKeys(m) {
		if !has[col] {
			return cm, nil, msg.New("imports.mapping_no_column", col)
		}
	}
	cm.fieldOf = make([]int, len(headers))
	cm.layout = layout{mapped: make([]bool, len(s.fields)), columns: make([]string, len(s.fields))}
	for c, h := range headers {
		cm.fieldOf[c] = skipColumn
		switch target := m[h]; {
		case target == Skip:
		case target == Extra && s.extra != "":
			cm.fieldOf[c], cm.layout.extra = extraColumn, true
		default:
			i := s.index(target)
			if i < 0 {
				return cm, nil, msg.New("imports.mapping_not_field", h, target, string(s.dataset), s.fieldList(Extra))
			}
			if cm.layout.mapped[i] {
				return cm, nil, msg.New("imports.mapping_twice", cm.layout.columns[i], h, target)
			}
			cm.fieldOf[c], cm.layout.mapped[i], cm.layout.columns[i] = i, true, h
		}
	}
	for i, f := range s.fields {
		if f.required && !cm.layout.mapped[i] {
			missing = append(missing, f.name)
		}
	}
	return cm, missing, nil
}

// fieldList names the fields for a message, and the extra data as the caller names it (Extra in a mapping,
// "attributes" in a JSON record).
func (s *spec) fieldList(extra string) string {
	names := make([]string, 0, len(s.fields)+1)
	for _, f := range s.fields {
		names = append(names, f.name)
	}
	if s.extra != "" {
		names = append(names, extra)
	}
	return strings.Join(names, ", ")
}

func sortedKeys(m Mapping) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
