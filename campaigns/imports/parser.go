package imports

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"dozvon/internal/msg"
)

// input is one row as read, before it is checked: the values by field index, what goes to the extra jsonb, and
// problems found while reading it (JSON records of the wrong type, unknown keys).
type input struct {
	line     int
	values   []string
	extra    map[string]any
	problems []Problem
}

// parser checks rows of one dataset, one at a time (it is not safe for concurrent use).
type parser struct {
	spec   *spec
	layout layout
	loc    *time.Location
	// serialDates accepts Excel's day numbers (45292.5) for dates: XLSX cells are read raw, not as formatted.
	serialDates bool
	// Values that repeat down a column — time zones, regions, legal forms, statuses — are resolved once.
	zones, regionZones memo
	words              []memo // by field: legal forms and enumerations as written → as stored ("" if unknown)
}

func newParser(s *spec, l layout, loc *time.Location, serialDates bool) *parser {
	if loc == nil {
		loc = moscow
	}
	p := &parser{spec: s, layout: l, loc: loc, serialDates: serialDates, zones: memo{}, regionZones: memo{},
		words: make([]memo, len(s.fields))}
	for i := range p.words {
		p.words[i] = memo{}
	}
	return p
}

// memo remembers what a function made of a value, up to a bound: a column of names would otherwise grow it by
// one entry per row.
type memo map[string]string

func (m memo) get(key string, f func(string) string) string {
	if v, ok := m[key]; ok {
		return v
	}
	v := f(key)
	if len(m) < 10000 {
		m[key] = v
	}
	return v
}

// check turns an input into the values of a staging row, or returns the problems that reject it.
func (p *parser) check(in *input) ([]any, []Problem) {
	vals, problems := p.fields(in)
	if len(problems) > 0 {
		return nil, problems
	}
	if p.layout.extra {
		vals[len(p.spec.fields)] = extraJSON(in.extra)
	}
	if p.spec.finish != nil {
		p.spec.finish(p, vals)
	}
	vals[len(vals)-1] = int32(in.line)
	return vals, nil
}

// fields checks each mapped field on its own; vals holds those that are good.
func (p *parser) fields(in *input) (vals []any, problems []Problem) {
	vals = make([]any, p.spec.width())
	problems = in.problems
	for i := range p.spec.fields {
		if !p.layout.mapped[i] || hasProblem(in.problems, p.spec.fields[i].name) {
			continue
		}
		f := &p.spec.fields[i]
		raw := strings.TrimSpace(in.values[i])
		v, reason := p.value(f, raw)
		if reason == nil && raw == "" && f.required {
			reason = msg.New("imports.required")
		}
		if reason != nil {
			problems = append(problems, problemOf(Problem{Line: in.line, Field: f.name, Column: visible(p.layout.columns[i]),
				Value: clip(visible(raw))}, reason))
			continue
		}
		vals[i] = v
	}
	if p.layout.extra {
		problems = append(problems, extraProblems(in)...)
	}
	return vals, problems
}

// extraProblems finds the extra columns (or a record's extra object) that PostgreSQL's jsonb cannot store: a
// NUL, or bytes that are not UTF-8, in a name or a value. Each is a problem of its row, like a bad field; the
// whole import does not fail on it.
func extraProblems(in *input) []Problem {
	var out []Problem
	for k, v := range in.extra {
		if bad, value := unstorableIn(k, v); bad {
			out = append(out, problemOf(Problem{Line: in.line, Field: visible(k), Value: clip(visible(value))}, badText))
		}
	}
	slices.SortFunc(out, func(a, b Problem) int { return strings.Compare(a.Field, b.Field) })
	return out
}

// unstorableIn tells whether a name or any text inside v cannot be stored, and that text.
func unstorableIn(name string, v any) (bool, string) {
	if !storable(name) {
		return true, name
	}
	switch x := v.(type) {
	case string:
		return !storable(x), x
	case []any:
		for _, e := range x {
			if bad, s := unstorableIn("", e); bad {
				return true, s
			}
		}
	case map[string]any:
		for k, e := range x {
			if bad, s := unstorableIn(k, e); bad {
				return true, s
			}
		}
	}
	return false, ""
}

var badText = msg.New("imports.bad_text")

// storable tells whether PostgreSQL takes s as text: UTF-8 with no NUL.
func storable(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// visible is a value as a problem shows (and stores) it: what cannot be stored replaced by U+FFFD.
func visible(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// hasProblem tells whether reading already found a problem with the field (a JSON object for a text).
func hasProblem(problems []Problem, field string) bool {
	for _, p := range problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

// value checks one field's text and returns what the staging table gets, or why it cannot.
func (p *parser) value(f *field, s string) (any, *msg.Error) {
	if !storable(s) {
		return nil, badText
	}
	switch f.kind {
	case kindID:
		if s == "" {
			return nil, nil
		}
		return s, maxLength(s, 100)
	case kindText:
		return s, maxLength(s, 1000)
	case kindINN:
		return checkINN(s)
	case kindPhone:
		return checkPhone(s)
	case kindEmail:
		return s, checkEmail(s)
	case kindOKVED, kindOKVEDList:
		return checkOKVED(s)
	case kindLegalForm:
		if form := p.words[f.index].get(s, func(s string) string { return legalForms[normalize(s)] }); form != "" {
			return form, nil
		}
		return s, maxLength(s, 50)
	case kindTimezone:
		return p.zone(s)
	case kindDate:
		return p.date(s)
	case kindEnum, kindCode:
		return p.enum(f, s)
	}
	return s, nil
}

var emptyObject = []byte("{}") // shared: COPY only reads it

func extraJSON(extra map[string]any) []byte {
	if len(extra) == 0 {
		return emptyObject
	}
	b, err := json.Marshal(extra)
	if err != nil { // only values decoded from JSON or strings get here; they always marshal
		return emptyObject
	}
	return b
}
