package imports

import (
	"fmt"
	"strings"
	"time"

	"dozvon/internal/msg"
)

// Dataset names what a file or a batch of records holds.
type Dataset string

const (
	Clients      Dataset = "clients"
	Applications Dataset = "applications"
	Events       Dataset = "events" // application events
)

// Datasets lists every dataset in the order they must first be loaded: applications name clients, events name
// applications.
var Datasets = []Dataset{Clients, Applications, Events}

// ParseDataset reads a dataset's name as a person or a URL writes it.
func ParseDataset(s string) (Dataset, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "clients", "client":
		return Clients, nil
	case "applications", "application":
		return Applications, nil
	case "events", "event", "application_events":
		return Events, nil
	}
	return "", msg.New("imports.unknown_dataset", s)
}

// FieldInfo describes a field a column can be mapped to, for a screen's list of choices.
type FieldInfo struct {
	Name     string `json:"name"`
	Required bool   `json:"required"`
}

// Fields lists a dataset's fields in the order screens show them.
func Fields(d Dataset) []FieldInfo {
	s := specs[d]
	if s == nil {
		return nil
	}
	out := make([]FieldInfo, len(s.fields))
	for i, f := range s.fields {
		out[i] = FieldInfo{Name: f.name, Required: f.required}
	}
	return out
}

// kind says how a field's text is checked and what it becomes in the staging table.
type kind uint8

const (
	kindText      kind = iota // trimmed text
	kindID                    // an external id: text, at most 100 characters
	kindINN                   // 10 or 12 digits with valid check digits; empty is NULL
	kindPhone                 // normalised to E.164; empty is NULL
	kindEmail                 //
	kindOKVED                 // one or several codes; the first is the main one
	kindOKVEDList             // codes for okved_extra (text[])
	kindLegalForm             // ООО, ИП ...
	kindTimezone              // IANA name, from a name or an offset such as МСК+4
	kindDate                  // timestamptz
	kindEnum                  // one of values
	kindCode                  // like kindEnum, but other values are kept as written
)

// field is one field of a dataset: a column of its staging table and, mostly, of its real table.
type field struct {
	index    int // in spec.fields, set at start
	name     string
	kind     kind
	required bool
	// values maps accepted spellings (normalised with normalize) to the stored value, for kindEnum and kindCode.
	values map[string]string
	// aliases are header names that map to the field besides its own name, as files spell them.
	aliases []string
	// derivedFrom makes the field part of an import when any of these fields is mapped, even if it is not.
	derivedFrom []string
}

// reference is a field that names a row of another table by its external_id, stored as that row's id.
type reference struct {
	field  string // e.g. client_external_id
	table  string // clients
	column string // client_id
	noun   string // "client", for problems
}

// spec is everything the engine knows about one dataset.
type spec struct {
	dataset Dataset
	table   string
	fields  []field
	extra   string     // jsonb column that keeps Extra columns ("attributes", "payload"), or ""
	ref     *reference // nil for clients
	// keyOptional: rows without an external_id are matched on naturalKey instead (events).
	keyOptional bool
	naturalKey  []string
	touch       bool // the table has updated_at
	// finish applies the rules that span fields, after each field was checked on its own.
	finish func(p *parser, vals []any)
}

var specs = map[Dataset]*spec{Clients: &clientSpec, Applications: &applicationSpec, Events: &eventSpec}

func specFor(d Dataset) (*spec, error) {
	if s := specs[d]; s != nil {
		return s, nil
	}
	return nil, msg.New("imports.unknown_dataset", string(d))
}

func (s *spec) index(name string) int {
	for i := range s.fields {
		if s.fields[i].name == name {
			return i
		}
	}
	return -1
}

// width is the number of staging columns: the fields, the extra jsonb column if any, and the line.
func (s *spec) width() int {
	if s.extra != "" {
		return len(s.fields) + 2
	}
	return len(s.fields) + 1
}

// staging names the temporary table a batch is copied into before the upsert.
func (s *spec) staging() string { return "import_" + string(s.dataset) }

// stagingColumns lists the staging table's columns in the order of a row's values.
func (s *spec) stagingColumns() []string {
	cols := make([]string, 0, s.width())
	for _, f := range s.fields {
		cols = append(cols, f.name)
	}
	if s.extra != "" {
		cols = append(cols, s.extra)
	}
	return append(cols, "line")
}

func (f *field) sqlType() string {
	switch f.kind {
	case kindDate:
		return "timestamptz"
	case kindOKVEDList:
		return "text[]"
	}
	return "text"
}

// present says which fields an import sets: those mapped, and those derived from a mapped one.
func (s *spec) present(mapped []bool) []bool {
	out := make([]bool, len(s.fields))
	for i, f := range s.fields {
		out[i] = mapped[i]
		for _, from := range f.derivedFrom {
			if j := s.index(from); j >= 0 && mapped[j] {
				out[i] = true
			}
		}
	}
	return out
}

// key is what makes two rows of one batch the same record: the external_id, or for events without one their
// natural key.
func (s *spec) key(vals []any) string {
	if id, _ := vals[0].(string); id != "" {
		return id
	}
	var b strings.Builder
	for _, name := range s.naturalKey {
		switch v := vals[s.index(name)].(type) {
		case time.Time: // the same moment written in two zones is the same event
			fmt.Fprintf(&b, "\x00%d", v.UnixNano())
		default:
			fmt.Fprintf(&b, "\x00%v", v)
		}
	}
	return b.String()
}
